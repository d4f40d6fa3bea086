using Xunit;
using StarGanLab.Runs;
using StarGanLab.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Sampling;

public class InterpolationTests(SamplingRun run) : TorchTest, IClassFixture<SamplingRun>
{
    [Fact]
    public void Schedule_is_zero_then_the_sigmoid_over_minus_5_to_4_5_then_ten_ones()
    {
        var a = InterpolationSchedule.Alphas;
        Assert.Equal(31, a.Count);
        Assert.Equal(0, a[0]);
        for (int k = 0; k < 20; k++)
            Assert.Equal(1 / (1 + Math.Exp(5 - 0.5 * k)), a[1 + k], 15);
        Assert.Equal(0.5, a[11], 15);                       // sigmoid(0)
        Assert.Equal(0.0066928509242848554, a[1], 15);      // sigmoid(-5)
        Assert.Equal(0.98901305736940681, a[20], 15);       // sigmoid(4.5)
        Assert.All(a.Skip(21), x => Assert.Equal(1, x));
        Assert.Equal(0, InterpolationSchedule.FrameCount(0));
        Assert.Equal(3 * 31 + 10, InterpolationSchedule.FrameCount(3));
    }

    [Fact]
    public void Slide_moves_the_previous_reference_from_the_lower_to_the_upper_half()
    {
        var prev = full([3, 8, 8], 0.25f);
        var next = full([3, 8, 8], 0.75f);
        var start = InterpolationVideo.Slide(prev, next, 0);
        var end = InterpolationVideo.Slide(prev, next, 1);
        Assert.Equal(new long[] { 3, 16, 9 }, start.shape);       // W + W/8
        Assert.True(start[.., ..8, ..].eq(-1).all().item<bool>());
        Assert.True(Same(start[.., 8.., ..8], prev));
        Assert.True(Same(end[.., ..8, ..8], prev) && Same(end[.., 8.., ..8], next));
        Assert.True(end[.., .., 8..].eq(-1).all().item<bool>());   // the gap stays black
        var mid = InterpolationVideo.Slide(prev, next, 0.5);       // top = int(8 * 0.5) = 4
        Assert.True(mid[.., ..4, ..].eq(-1).all().item<bool>() && Same(mid[.., 4..12, ..8], prev) && Same(mid[.., 12.., ..8], next[.., ..4, ..]));
    }

    [Fact]
    public void Reference_video_streams_one_transition_per_same_domain_pair_with_sources_above_outputs()
    {
        using var model = TrainedModel.Load(run.RunDir);
        var xSrc = randn(2, 3, SamplingRun.Size, SamplingRun.Size, generator: new torch.Generator(1)).clamp(-1, 1);
        var xRef = randn(5, 3, SamplingRun.Size, SamplingRun.Size, generator: new torch.Generator(2)).clamp(-1, 1);
        var yRef = tensor(new long[] { 0, 0, 0, 1, 2 });        // transitions 0->1, 1->2; none across domains
        var sink = new FrameRecorder(0, 30);

        int frames = InterpolationVideo.Reference(model.Nets, xSrc, xRef, yRef, null, sink);

        Assert.Equal(2, InterpolationVideo.ReferenceTransitions(yRef));
        Assert.Equal(InterpolationSchedule.FrameCount(2), frames);
        Assert.Equal(frames, sink.Sizes.Count);
        Assert.All(sink.Sizes, s => Assert.Equal((32L, 16 + 2 + 2 * 16L), s));
        // Frame 0 is alpha 0: the first reference's style; frame 30 is alpha 1: the second's. Sources on top, outputs below.
        using var _ = no_grad();
        var sRef = model.Nets.StyleEncoder!.call(xRef, yRef);
        foreach (var (index, r) in new[] { (0, 0), (30, 1) })
        {
            var f = sink.Kept[index];
            Assert.True(Same(f[.., ..16, 18..34], xSrc[0]));
            var fake = model.Nets.Generator.forward(xSrc, sRef[r..(r + 1)].expand(2, -1));
            Assert.True(f[.., 16.., 34..].allclose(fake[1], rtol: 0, atol: 1e-6));
        }
        AssertStreamed(sink);
    }

    [Fact]
    public void Latent_video_has_the_official_frame_count_and_streams()
    {
        using var model = TrainedModel.Load(run.RunDir);
        var xSrc = zeros(3, 3, SamplingRun.Size, SamplingRun.Size);
        var rng = new torch.Generator(3);
        var z = Enumerable.Range(0, 3).Select(_ => randn([1, model.Config.Model.LatentDim], generator: rng)).ToArray();
        var styles = new[] { 2, 0 }.Select(d => Sampler.LatentStyles(model.Nets, z[..(d == 2 ? 3 : 2)], d, null, 1)).ToArray();
        var sink = new FrameRecorder();

        int frames = InterpolationVideo.Latent(model.Nets, xSrc, styles, null, sink);

        Assert.Equal(InterpolationSchedule.FrameCount(2 + 1), frames);   // (3 codes - 1) + (2 codes - 1)
        Assert.Equal(frames, sink.Sizes.Count);
        Assert.All(sink.Sizes, s => Assert.Equal((32L, 48L), s));
        AssertStreamed(sink);
    }

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    /// <summary>A producer that kept its frames would hold one more tensor per frame: over ~100 frames the live count
    /// must never climb above the first frame's (plus the one copy kept for the end; the held end frames need fewer).</summary>
    static void AssertStreamed(FrameRecorder sink)
    {
        Assert.True(sink.LiveTensors.Count > 60, $"only {sink.LiveTensors.Count} frames");
        long growth = sink.LiveTensors.Max() - sink.LiveTensors[0];
        Assert.True(growth <= 2, $"live tensors grew by {growth} over {sink.LiveTensors.Count} frames: {string.Join(",", sink.LiveTensors)}");
    }
}
