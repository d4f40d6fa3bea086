using StarGanLab.Networks;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Tests.Networks;

/// <summary>The fused resampling convolutions against the two-step forms they replace: values, weight and input
/// gradients, and (for the pooled form, which R1 differentiates twice) the double backward.</summary>
public class ResampledConvTests : TorchTest
{
    static Conv2d Conv(long cin, long cout)
    {
        var conv = nn.Conv2d(cin, cout, 3, 1, 1);
        using (no_grad()) conv.bias!.normal_();   // a nonzero bias, so its handling is tested too
        return conv;
    }

    static void Close(Tensor ours, Tensor theirs, string what, double rtol = 1e-5)
    {
        double scale = Math.Max(1, theirs.abs().max().item<float>());
        double err = (ours - theirs).abs().max().item<float>();
        Assert.True(err <= rtol * scale, $"{what}: max error {err:E2} at scale {scale:E2}");
    }

    [Theory]
    [InlineData(32, 32)]   // fused
    [InlineData(64, 32)]   // fused, non-square
    [InlineData(16, 16)]   // below the threshold: the two-step form itself
    public void Conv_then_pool_equals_the_two_steps_with_gradients_and_double_backward(long h, long w)
    {
        manual_seed(5);
        using var conv = Conv(6, 5);
        var x = randn(2, 6, h, w).requires_grad_(true);
        var ours = ResampledConv.ThenPool(conv, x);
        var theirs = F.avg_pool2d(conv.call(x), 2);
        Assert.Equal(theirs.shape, ours.shape);
        Close(ours, theirs, "forward");

        // R1-style: the gradient of the output w.r.t. the input, differentiated again w.r.t. the weights
        Tensor[] R1(Tensor y)
        {
            var gx = autograd.grad([y.square().sum()], [x], retain_graph: true, create_graph: true)[0];
            return autograd.grad([gx.square().sum()], [conv.weight!, conv.bias!, x]).ToArray();
        }
        foreach (var (a, b) in R1(ours).Zip(R1(theirs))) Close(a, b, "double backward");
    }

    [Theory]
    [InlineData(16, 16, 7, 4)]   // fused
    [InlineData(16, 24, 4, 4)]   // fused, non-square
    [InlineData(8, 8, 4, 3)]     // below the threshold
    public void Upsampled_conv_equals_upsample_then_conv_with_gradients(long h, long w, long cin, long cout)
    {
        manual_seed(6);
        using var conv = Conv(cin, cout);
        var x = randn(2, cin, h, w).requires_grad_(true);
        var ours = ResampledConv.Upsampled(conv, x);
        var theirs = conv.call(F.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest));
        Assert.Equal(new long[] { 2, cout, 2 * h, 2 * w }, ours.shape);
        Close(ours, theirs, "forward");

        var upstream = randn_like(theirs);
        var a = autograd.grad([ours], [x, conv.weight!, conv.bias!], [upstream]);
        var b = autograd.grad([theirs], [x, conv.weight!, conv.bias!], [upstream]);
        foreach (var (ga, gb) in a.Zip(b)) Close(ga, gb, "backward");
    }
}
