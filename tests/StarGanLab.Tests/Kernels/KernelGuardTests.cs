using StarGanLab.Config;
using StarGanLab.Kernels;
using StarGanLab.Networks;
using StarGanLab.Tests.Config;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Tests.Kernels;

/// <summary>The guard's detection and routing, proved without the CPU fault: stand-in kernels that are wrong in
/// known ways must be caught and routed around; libtorch's own kernels, under the route the guard takes here,
/// must match float64 on whatever CPU runs the tests.</summary>
public class KernelGuardTests : TorchTest
{
    // Odd widths (8, 16, 24), 2 domains: every fault family the guard knows has a shape here.
    internal static readonly ModelConfig Odd = new(ImgSize: 32, NumDomains: 2, LatentDim: 8, StyleDim: 16, WidthConst: 256,
                                            MaxConvDim: 24, MappingHidden: 32);

    /// <summary>libtorch's convolution, except that the input gradient is 1.5 times too large whenever a 2x2 or larger
    /// kernel's out_channels is not a multiple of 16: the forward value is unchanged, as in the oneDNN fault.</summary>
    static Tensor WrongBackwardUnlessCout16(Tensor x, Tensor w, Tensor? b, long s, long p, long g)
    {
        var y = ConvKernel.Libtorch(x, w, b, s, p, g);
        if (w.size(0) % 16 == 0 || g != 1 || w.size(2) == 1) return y;
        var extra = ConvKernel.Libtorch(x, w.detach(), null, s, p, g);
        return y + 0.5 * (extra - extra.detach());
    }

    /// <summary>Wrong everywhere: 1% off in the forward pass of every shape.</summary>
    static Tensor WrongEverywhere(Tensor x, Tensor w, Tensor? b, long s, long p, long g) => ConvKernel.Libtorch(x, w, b, s, p, g) * 1.01;

    /// <summary>libtorch's convolution computed in float64: exact enough to compare the routes' arithmetic.</summary>
    static Tensor InFloat64(Tensor x, Tensor w, Tensor? b, long s, long p, long g) =>
        F.conv2d(x.to(float64), w.to(float64), b?.to(float64), strides: [s, s], padding: [p, p], groups: g).to(x.dtype);

    [Fact]
    public void A_wrong_backward_is_caught_on_the_native_route_and_the_padded_route_avoids_it()
    {
        var native = KernelSelfCheck.Run(Odd, ConvRoute.Native, WrongBackwardUnlessCout16);
        // Every ungrouped 2x2-or-larger convolution whose out_channels is not a multiple of 16 must be caught in its backward pass.
        var faulty = native.Where(r => r.Case.Family == "conv2d" && !r.Case.Shape.Contains("groups") && !r.Case.Shape.Contains(" k1 ")
                                       && long.Parse(r.Case.Shape.Split("->")[1].Split(' ')[0]) % 16 != 0).ToList();
        Assert.NotEmpty(faulty);
        Assert.All(faulty, r => Assert.True(!r.Pass && !(r.Backward <= r.Tolerance), $"{r.Case.Shape}: backward error {r.Backward:E1} not caught"));

        var padded = KernelSelfCheck.Run(Odd, ConvRoute.Padded, WrongBackwardUnlessCout16);
        Assert.All(padded, r => Assert.True(r.Pass, $"{r.Case.Family} {r.Case.Shape}: {r.Worst:E1}"));
    }

    [Fact]
    public void Auto_picks_the_padded_route_for_a_kernel_wrong_on_unpadded_shapes_and_says_so()
    {
        using var dir = new TempDir();
        var said = new List<string>();   // the guard's notices for this call alone: other tests run the real guard meanwhile
        var verdict = KernelGuard.Verdict(Odd, KernelSetting.Auto, new KernelVerdictCache(dir.Path), WrongBackwardUnlessCout16, said.Add);
        Assert.Equal(ConvRoute.Padded, verdict.Route);
        Assert.False(verdict.Forced);
        Assert.True(verdict.Sound);
        Assert.Contains(verdict.Checks[ConvRoute.Native], r => !r.Pass);
        var line = Assert.Single(said);
        Assert.Contains("wrong convolutions", line);
        Assert.Contains("kernels: padded", line);
        Assert.Empty(Directory.GetFiles(dir.Path, "*", SearchOption.AllDirectories));   // stand-in verdicts are never cached
    }

    [Fact]
    public void A_fault_no_route_avoids_is_an_error_that_names_the_ISA_cap_and_a_forced_route_is_warned_about()
    {
        var e = Assert.Throws<KernelFaultException>(() => KernelGuard.Verdict(Odd, KernelSetting.Auto, null, WrongEverywhere, _ => { }));
        Assert.Contains("ONEDNN_MAX_CPU_ISA=SSE41", e.Message);
        Assert.Contains("forward", e.Message);

        var said = new List<string>();
        var verdict = KernelGuard.Verdict(Odd, KernelSetting.Native, null, WrongEverywhere, said.Add);
        Assert.Equal(ConvRoute.Native, verdict.Route);
        Assert.True(verdict.Forced);
        Assert.False(verdict.Sound);
        Assert.Contains("chosen by hand", Assert.Single(said));
    }

    /// <summary>1x1 convolutions whose double backward is wrong (the real fault: R1 through D's shortcuts).</summary>
    static Tensor WrongSecondOrderFor1x1(Tensor x, Tensor w, Tensor? b, long s, long p, long g)
    {
        var y = ConvKernel.Libtorch(x, w, b, s, p, g);
        if (w.size(2) != 1) return y;
        // the same value and first derivatives; the second derivative w.r.t. x and w picks up a wrong term
        var bump = 0.3 * (ConvKernel.Libtorch(x, w, null, s, p, g).pow(2) - ConvKernel.Libtorch(x.detach(), w.detach(), null, s, p, g).pow(2));
        var exact = ConvKernel.Libtorch(x, w, null, s, p, g) - ConvKernel.Libtorch(x.detach(), w.detach(), null, s, p, g);
        return y + bump - 0.3 * 2 * exact * ConvKernel.Libtorch(x.detach(), w.detach(), null, s, p, g);
    }

    [Fact]
    public void A_wrong_double_backward_of_1x1_convolutions_is_caught_and_avoided_where_R1_differentiates_twice()
    {
        var native = KernelSelfCheck.Run(Odd, ConvRoute.Native, WrongSecondOrderFor1x1);
        var ones = native.Where(r => r.Case.Shape.Contains(" k1 ") && !r.Case.Shape.EndsWith("at 1x1")).ToList();
        Assert.NotEmpty(ones);
        Assert.All(ones, r => Assert.True(r.Forward < 1e-5 && r.Backward < 1e-5 && r.DoubleBackward > 1e-2,
            $"{r.Case.Shape}: fwd {r.Forward:E1} bwd {r.Backward:E1} 2nd {r.DoubleBackward:E1}"));
        var padded = KernelSelfCheck.Run(Odd, ConvRoute.Padded, WrongSecondOrderFor1x1);
        Assert.All(padded, r => Assert.True(r.Pass, $"{r.Case.Family} {r.Case.Shape}: {r.Worst:E1}"));
    }

    [Fact]
    public void The_padded_route_computes_the_same_function_as_the_native_one()
    {
        manual_seed(11);
        foreach (var (cin, cout, k, s, p) in new (long, long, long, long, long)[] { (24, 3, 3, 1, 1), (3, 24, 3, 1, 1), (20, 12, 4, 2, 1), (7, 4, 2, 1, 1), (24, 8, 1, 1, 0), (8, 3, 1, 1, 0) })
        {
            using var scope = NewDisposeScope();
            var x = randn(3, cin, 8, 8);
            var w = randn(cout, cin, k, k) / Math.Sqrt(cin * k * k);
            var b = randn(cout);
            var native = ConvKernel.Apply(x, w, b, s, p, 1, ConvRoute.Native, InFloat64);
            var padded = ConvKernel.Apply(x, w, b, s, p, 1, ConvRoute.Padded, InFloat64);
            Assert.Equal(native.shape, padded.shape);
            double err = (native - padded).abs().max().item<float>();
            Assert.True(err < 1e-5, $"{cin}->{cout} k{k}: padded differs by {err:E2}");
        }
    }

    [Fact]
    public void Libtorch_under_the_guards_route_matches_float64_on_this_CPU()
    {
        var verdict = KernelGuard.Ensure(Odd);
        var results = KernelSelfCheck.Run(Odd, verdict.Route);
        Assert.All(results, r => Assert.True(r.Pass, $"{r.Case.Family} {r.Case.Shape} under {verdict.Route}: fwd {r.Forward:E1} bwd {r.Backward:E1} 2nd {r.DoubleBackward:E1}"));
        Assert.Equal(verdict.Route, KernelRouting.Current);
    }

    [Fact]
    public void The_check_covers_every_op_family_the_networks_use_with_their_traced_shapes()
    {
        var cases = KernelSelfCheck.CasesFor(Odd);
        foreach (var family in new[] { "conv2d", "instance_norm", "linear", "avg_pool2d", "upsample2x" })
            Assert.Contains(cases, c => c.Family == family);
        Assert.Contains(cases, c => c.Shape.StartsWith("3->8 k3 s1 p1"));       // from_rgb
        Assert.Contains(cases, c => c.Shape.StartsWith("8->3 k1 s1 p0"));       // to_rgb
        Assert.Contains(cases, c => c.Shape.StartsWith("8->8 k4 s2 p1"));       // the fused conv-then-pool
        Assert.Contains(cases, c => c.Shape.StartsWith("8->8 k1 s1 p0") || c.Shape.StartsWith("8->16 k1 s1 p0"));   // a 1x1 shortcut
        var hpf = KernelSelfCheck.CasesFor(Odd with { ImgSize = 64, WHpf = 1 });
        Assert.Contains(hpf, c => c.Shape.Contains("groups"));                   // the high-pass filter
        Assert.Contains(hpf, c => c.Shape.StartsWith("6->64 k7 s2 p3"));         // the FAN's CoordConv stem (x, y, r added)
    }

    [Fact]
    public void A_verdict_is_cached_on_disk_and_a_corrupt_cache_file_is_checked_again()
    {
        using var dir = new TempDir();
        var cache = new KernelVerdictCache(dir.Path);
        var first = KernelGuard.Verdict(Odd, KernelSetting.Padded, cache, ConvKernel.Libtorch, _ => { });
        var files = Directory.GetFiles(dir.Path);
        Assert.Single(files);
        var cached = cache.TryRead(Path.GetFileNameWithoutExtension(files[0]));
        Assert.NotNull(cached);
        Assert.Equal(first.Checks[ConvRoute.Padded].Select(r => (r.Case, r.Worst)), cached!.Select(r => (r.Case, r.Worst)));

        File.WriteAllText(files[0], "{ not json");
        Assert.Null(cache.TryRead(Path.GetFileNameWithoutExtension(files[0])));
        var again = KernelGuard.Verdict(Odd with { MappingHidden = 48 }, KernelSetting.Padded, cache, ConvKernel.Libtorch, _ => { });
        Assert.True(again.Sound);
    }

    [Fact]
    public void Building_networks_runs_the_guard_for_their_shapes()
    {
        var model = Odd with { NumDomains = 3 };
        using var nets = StarGanNets.Create(model, withDiscriminator: false);
        Assert.NotNull(KernelGuard.Known(model));
    }

    [Fact]
    public void The_kernels_key_is_validated_with_its_choices()
    {
        var e = ConfigTestSupport.Fails(ConfigTestSupport.Valid + "kernels: fast\n");
        var p = Assert.Single(e.Problems);
        Assert.Equal("kernels", p.KeyPath);
        Assert.Contains("auto, native, padded", p.Message);
        Assert.Throws<ArgumentException>(() => KernelSetting.Parse("fast"));
    }
}
