using StarGanLab.Config;
using StarGanLab.Kernels;
using StarGanLab.Tests.Config;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Tests.Kernels;

/// <summary>train.precision: bf16 at the convolution: what is cast and what is not, and the self-check's bfloat16
/// cases, proved with stand-in kernels that are wrong only in bfloat16.</summary>
public class Bf16ConvTests : TorchTest
{
    // The guard tests' odd widths (8, 16, 24): every fault family has a shape in them.
    static readonly ModelConfig Odd = KernelGuardTests.Odd;

    static double RelError(Tensor ours, Tensor reference) =>
        (ours.to(float64) - reference).abs().max().item<double>() / reference.abs().max().item<double>();

    [Fact]
    public void Inside_the_scope_a_float32_convolution_computes_in_bfloat16_and_returns_float32_with_float32_gradients()
    {
        using var scope = NewDisposeScope();
        var gen = new TorchSharp.torch.Generator(5);
        var x = randn([3, 24, 8, 8], generator: gen);
        var w = (randn([32, 24, 3, 3], generator: gen) / 15).requires_grad_(true);
        var b = randn([32], generator: gen).requires_grad_(true);
        var exact = F.conv2d(x.to(float64), w.detach().to(float64), b.detach().to(float64), padding: [1, 1]);

        var y32 = ConvKernel.Apply(x, w, b, padding: 1);
        Tensor y16;
        using (ConvKernel.InBf16()) y16 = ConvKernel.Apply(x, w, b, padding: 1);
        Assert.False(ConvKernel.Bf16Now);   // the scope ends with its using

        Assert.Equal(float32, y16.dtype);
        Assert.True(RelError(y32, exact) < 1e-5);
        double e16 = RelError(y16, exact);
        // bfloat16's 8 significant bits: far from float32's error, yet within the self-check's tolerance.
        Assert.InRange(e16, 1e-4, KernelSelfCheck.Bf16Tolerance);

        y16.sum().backward();
        Assert.Equal(float32, w.grad!.dtype);
        Assert.Equal(float32, b.grad!.dtype);
        Assert.Equal(w.shape, w.grad.shape);
    }

    [Fact]
    public void Convolutions_differentiated_twice_stay_float32_inside_the_scope()
    {
        using var scope = NewDisposeScope();
        var x = randn(2, 16, 8, 8);
        var w = randn(16, 16, 3, 3) / 12;
        var y32 = ConvKernel.Apply(x, w, null, padding: 1);
        Tensor yR1;
        using (ConvKernel.InBf16())
        using (ConvKernel.TwiceDifferentiated())
            yR1 = ConvKernel.Apply(x, w, null, padding: 1);
        Assert.Equal(0f, (y32 - yR1).abs().max().item<float>());
    }

    [Fact]
    public void Fp32_opens_no_scope()
    {
        Assert.Null(ConvKernel.ComputeIn(ComputePrecision.Fp32));
        using (ConvKernel.ComputeIn(ComputePrecision.Bf16)) Assert.True(ConvKernel.Bf16Now);
        Assert.False(ConvKernel.Bf16Now);
    }

    /// <summary>libtorch's convolution, 1.5 times too large in bfloat16 wherever an input or output channel count is
    /// not a multiple of 16 (as this CPU's bfloat16 faults, images' 3 channels and 1x1 convolutions included).</summary>
    static Tensor WrongInBf16UnlessPadded(Tensor x, Tensor w, Tensor? b, long s, long p, long g)
    {
        var y = InFloat64(x, w, b, s, p, g);
        bool odd = w.size(0) % 16 != 0 || w.size(1) % 16 != 0;
        return x.dtype == bfloat16 && odd && g == 1 ? y * 1.5 : y;
    }

    /// <summary>Wrong in bfloat16 at every shape: no route helps.</summary>
    static Tensor WrongInBf16(Tensor x, Tensor w, Tensor? b, long s, long p, long g) =>
        InFloat64(x, w, b, s, p, g) * (x.dtype == bfloat16 ? 1.1 : 1.0);

    /// <summary>A correct convolution on any CPU (libtorch's float64 kernels), returned in the input's type.</summary>
    static Tensor InFloat64(Tensor x, Tensor w, Tensor? b, long s, long p, long g) =>
        F.conv2d(x.to(float64), w.to(float64), b?.to(float64), strides: [s, s], padding: [p, p], groups: g).to(x.dtype);

    [Fact]
    public void A_bfloat16_fault_on_unpadded_channels_is_caught_and_routed_around()
    {
        using var dir = new TempDir();
        var said = new List<string>();
        var fp32 = KernelGuard.Verdict(Odd, KernelSetting.Auto, new KernelVerdictCache(dir.Path), WrongInBf16UnlessPadded, said.Add);
        Assert.Equal(ConvRoute.Native, fp32.Route);   // float32 never meets the fault
        Assert.DoesNotContain(fp32.Checks[ConvRoute.Native], r => r.Case.Family == KernelSelfCheck.Bf16Family);

        var bf16 = KernelGuard.Verdict(Odd, KernelSetting.Auto, new KernelVerdictCache(dir.Path), WrongInBf16UnlessPadded, said.Add,
                                       ComputePrecision.Bf16);
        Assert.Equal(ConvRoute.Padded, bf16.Route);
        Assert.True(bf16.Sound);
        var caught = bf16.Checks[ConvRoute.Native].Where(r => !r.Pass).ToList();
        Assert.NotEmpty(caught);
        Assert.All(caught, r => Assert.Equal(KernelSelfCheck.Bf16Family, r.Case.Family));
        // The images' 3 channels and a 1x1 convolution are among the caught shapes: the padded route pads them in bfloat16.
        Assert.Contains(caught, r => r.Case.Shape.StartsWith("3->", StringComparison.Ordinal));
        Assert.Contains(caught, r => r.Case.Shape.Contains(" k1 ", StringComparison.Ordinal));
    }

    [Fact]
    public void A_bfloat16_fault_that_no_route_avoids_refuses_bf16_naming_the_key()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<KernelFaultException>(() =>
            KernelGuard.Verdict(Odd, KernelSetting.Auto, new KernelVerdictCache(dir.Path), WrongInBf16, _ => { }, ComputePrecision.Bf16));
        Assert.Contains("train.precision: bf16", e.Message);
        Assert.Contains("set train.precision: fp32", e.Message);
        Assert.Contains(KernelSelfCheck.Bf16Family, e.Message);
    }

    [Fact]
    public void Libtorch_bfloat16_convolutions_pass_the_check_under_the_route_the_guard_takes()
    {
        var verdict = KernelGuard.Verdict(Odd, KernelSetting.Auto, cache: null, ConvKernel.Libtorch, _ => { }, ComputePrecision.Bf16);
        var bf16 = verdict.Checks[verdict.Route].Where(r => r.Case.Family == KernelSelfCheck.Bf16Family).ToList();
        Assert.NotEmpty(bf16);
        Assert.All(bf16, r => Assert.True(r.Pass, $"{r.Case.Shape}: forward {r.Forward:E1}, backward {r.Backward:E1}"));
        // bfloat16 rounding is visible: the cases really ran in bfloat16.
        Assert.All(bf16, r => Assert.True(r.Forward > 1e-4, $"{r.Case.Shape}: forward {r.Forward:E1} looks like float32"));
    }
}
