using StarGanLab.Kernels;
using StarGanLab.Networks;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Tests.Networks;

/// <summary>The fused resampling convolutions (float32, under the route the kernel guard picks on this CPU) against
/// the two-step forms they replace computed in float64: values, weight and input gradients, and (for the pooled
/// form, which R1 differentiates twice) the double backward. float64 is the reference because libtorch 2.10's
/// float32 oneDNN kernels are wrong on some CPUs (Zen 5), so a float32 two-step form proves nothing there.</summary>
public class ResampledConvTests : TorchTest
{
    public ResampledConvTests() => KernelGuard.Ensure(new StarGanLab.Config.ModelConfig(ImgSize: 32, NumDomains: 2, WidthConst: 256, MaxConvDim: 24));

    static Conv MakeConv(long cin, long cout)
    {
        var conv = new Conv(cin, cout, 3, 1, 1);
        using (no_grad()) conv.bias!.normal_();   // a nonzero bias, so its handling is tested too
        return conv;
    }

    internal static void Close(Tensor ours, Tensor reference, string what, double rtol = 1e-5)
    {
        double scale = Math.Max(1, reference.abs().max().item<double>());
        double err = (ours.to(float64) - reference).abs().max().item<double>();
        Assert.True(err <= rtol * scale, $"{what}: max error {err:E2} at scale {scale:E2}");
    }


    [Theory]
    [InlineData(32, 32)]   // fused
    [InlineData(64, 32)]   // fused, non-square
    [InlineData(16, 16)]   // below the threshold: the two-step form itself
    public void Conv_then_pool_equals_the_two_steps_with_gradients_and_double_backward(long h, long w)
    {
        manual_seed(5);
        using var conv = MakeConv(6, 5);
        var x = randn(2, 6, h, w).requires_grad_(true);
        var w64 = conv.weight.detach().to(float64).requires_grad_(true);
        var b64 = conv.bias!.detach().to(float64).requires_grad_(true);
        var x64 = x.detach().to(float64).requires_grad_(true);
        var ours = ResampledConv.ThenPool(conv, x);
        var reference = F.avg_pool2d(F.conv2d(x64, w64, b64, padding: [1, 1]), 2);
        Assert.Equal(reference.shape, ours.shape);
        Close(ours, reference, "forward");

        // R1-style: the gradient of the output w.r.t. the input, differentiated again w.r.t. the weights
        static Tensor[] R1(Tensor y, Tensor input, Tensor weight, Tensor bias)
        {
            var gx = autograd.grad([y.square().sum()], [input], retain_graph: true, create_graph: true)[0];
            return autograd.grad([gx.square().sum()], [weight, bias, input]).ToArray();
        }
        foreach (var (a, b) in R1(ours, x, conv.weight, conv.bias!).Zip(R1(reference, x64, w64, b64))) Close(a, b, "double backward");
    }

    [Theory]
    [InlineData(16, 16, 7, 4)]   // fused
    [InlineData(16, 24, 4, 4)]   // fused, non-square
    [InlineData(8, 8, 4, 3)]     // below the threshold
    public void Upsampled_conv_equals_upsample_then_conv_with_gradients(long h, long w, long cin, long cout)
    {
        manual_seed(6);
        using var conv = MakeConv(cin, cout);
        var x = randn(2, cin, h, w).requires_grad_(true);
        var w64 = conv.weight.detach().to(float64).requires_grad_(true);
        var b64 = conv.bias!.detach().to(float64).requires_grad_(true);
        var x64 = x.detach().to(float64).requires_grad_(true);
        var ours = ResampledConv.Upsampled(conv, x);
        var reference = F.conv2d(F.interpolate(x64, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest), w64, b64, padding: [1, 1]);
        Assert.Equal(new long[] { 2, cout, 2 * h, 2 * w }, ours.shape);
        Close(ours, reference, "forward");

        var upstream = randn(reference.shape, dtype: float64);
        var a = autograd.grad([ours], [x, conv.weight, conv.bias!], [upstream.to(float32)]);
        var b = autograd.grad([reference], [x64, w64, b64], [upstream]);
        foreach (var (ga, gb) in a.Zip(b)) Close(ga, gb, "backward");
    }
}
