using StarGanLab.Benchmarks;
using Xunit;

namespace StarGanLab.Tests.Benchmarks;

/// <summary>`stargan bench --profile`: reading oneDNN's profile log into each phase's convolution work and time,
/// and the conv peak it is measured against.</summary>
public class OneDnnProfileTests : TorchTest
{
    const string Prefix = "onednn_verbose,v1,primitive,exec,cpu,";

    static string Conv(string direction, string problem, double ms) =>
        Prefix + $"convolution,jit:avx512_core,{direction},src:f32:a:blocked:aBcd16b::f0 dst:f32:a:blocked:aBcd16b::f0,attr-scratchpad:user,alg:convolution_direct,{problem},{ms}";

    static string Reorder(double ms) => Prefix + $"reorder,jit:blk,undef,src:f32::blocked:aBcd16b::f0 dst:f32::blocked:abcd::f0,attr-scratchpad:user,,8x16x32x32,{ms}";

    [Theory]
    [InlineData("mb8_ic64oc128_ih32oh32kh3sh1dh0ph1_iw32ow32kw3sw1dw0pw1", 2.0 * 8 * 128 * 32 * 32 * 64 * 9)]
    [InlineData("mb8_ic64oc64_ih64oh32kh4sh2dh0ph1_iw64ow32kw4sw2dw0pw1", 2.0 * 8 * 64 * 32 * 32 * 64 * 16)]      // the fused downsampling conv
    [InlineData("g4mb2_ic8oc8_ih4oh4kh3sh1dh0ph1_iw4ow4kw3sw1dw0pw1", 2.0 * 2 * 8 * 4 * 4 * 2 * 9)]                // grouped: ic / g per output
    [InlineData("mb4_ic256oc512_ih16oh16kh1sh1dh0ph0_iw16ow16kw1sw1dw0pw0", 2.0 * 4 * 512 * 16 * 16 * 256)]      // 1x1
    public void Convolution_flops_come_from_the_problem_descriptor(string descriptor, double flops) =>
        Assert.Equal(flops, OneDnnProfile.ConvFlops(descriptor));

    [Fact]
    public void A_descriptor_that_is_not_a_2d_convolution_is_refused_by_name() =>
        Assert.Contains("'8x16x32x32'", Assert.Throws<FormatException>(() => OneDnnProfile.ConvFlops("8x16x32x32")).Message);

    [Fact]
    public void Each_primitive_counts_in_the_phase_whose_marker_follows_it_and_only_the_asked_iteration_counts()
    {
        const string p1 = "mb8_ic64oc128_ih32oh32kh3sh1dh0ph1_iw32ow32kw3sw1dw0pw1";   // 1.208 GFLOP
        string[] log =
        [
            "onednn_verbose,v1,info,oneDNN v3.7.1",
            Conv("forward_training", p1, 100), OneDnnProfile.MarkerLine(0, "d_latent"),   // warm-up: not counted
            "iteration 0 (warm-up): 1.0 s",
            Conv("forward_training", p1, 4), Conv("backward_data", p1, 5), Conv("backward_weights", p1, 6), Reorder(1.5),
            "onednn_verbose,v1,primitive,create:cache_miss,cpu,convolution,jit:avx512_core,forward_training,,,," + p1 + ",0.5",
            OneDnnProfile.MarkerLine(1, "d_latent"),
            Conv("forward_inference", p1, 2), Prefix + "eltwise,jit:avx512_core,forward_training,,,alg:eltwise_relu,8x16,0.25",
            OneDnnProfile.MarkerLine(1, "g_latent"),
            OneDnnProfile.MarkerLine(1, "ema"),
        ];
        var phases = OneDnnProfile.Read(log, iteration: 1);
        Assert.Equal(["d_latent", "g_latent", "ema"], phases.Select(p => p.Phase));
        double g = 2.0 * 8 * 128 * 32 * 32 * 64 * 9 / 1e9;
        var d = phases[0];
        Assert.Equal((g, g, g), (d.ConvGflopForward, d.ConvGflopBackwardData, d.ConvGflopBackwardWeights));
        Assert.Equal(0.015, d.ConvSeconds, 9);
        Assert.Equal(0.0015, d.ReorderSeconds, 9);   // the create line is not an execution
        Assert.Equal((3, 1), (d.Convolutions, d.Reorders));
        Assert.Equal(g, phases[1].ConvGflopForward);  // forward_inference (no_grad) is forward work too
        Assert.Equal(0.00025, phases[1].OtherSeconds, 9);
        Assert.Equal(0, phases[2].ConvGflop);
    }

    [Fact]
    public void A_log_without_markers_for_the_iteration_is_refused_with_the_reason()
    {
        var e = Assert.Throws<FormatException>(() => OneDnnProfile.Read([OneDnnProfile.MarkerLine(0, "d_latent")], iteration: 1));
        Assert.Contains("stargan_phase,1,", e.Message);
    }

    [Fact]
    public void The_profile_divides_each_phase_s_convolution_work_by_its_timed_seconds()
    {
        var timed = new TrainingBenchmarkResult(32, 8, 2, 512, 0, 2, 1, 3, 1.0, 0.9, [1.0], new PhaseTimes(0.2, 0.2, 0.25, 0.25, 0.1),
            100, 0, 0, new Dictionary<string, long>());
        PhaseWork W(string phase, double gflop) => new(phase, gflop, 0, 0, gflop / 400, 0.01, 0, 1, 1);
        var work = new[] { W("d_latent", 40), W("d_ref", 40), W("g_latent", 50), W("g_ref", 50), W("ema", 0) };
        var profile = BenchmarkProfile.Of(timed, work, new ConvPeak.Result(250, 260, 19.3, 5, "probe"), givenPeakGflops: null);
        Assert.Equal(200, profile.Phases[0].Gflops, 9);
        Assert.Equal(400, profile.Phases[0].KernelGflops, 9);
        Assert.Equal(0.2 - 0.1 - 0.01, profile.Phases[0].OutsideOneDnnSeconds, 9);
        Assert.Equal(180 / 1.0, profile.Iteration.Gflops, 9);
        Assert.Contains("'warmup'", Assert.Throws<FormatException>(() => BenchmarkProfile.Of(timed, [W("warmup", 1)], profile.Peak, null)).Message);
    }

    [Fact]
    public void The_conv_peak_probe_counts_forward_and_both_gradients()
    {
        var peak = ConvPeak.Measure(channels: 16, size: 8, batch: 2, repeats: 2);
        Assert.Equal(3 * 2.0 * 2 * 16 * 8 * 8 * 16 * 9 / 1e9, peak.Gflop, 12);
        Assert.True(peak.GflopsMedian > 0 && peak.GflopsBest >= peak.GflopsMedian, $"{peak}");
    }
}
