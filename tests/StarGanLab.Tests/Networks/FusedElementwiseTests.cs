using StarGanLab.Networks;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Tests.Networks;

/// <summary>The speed rewrites of non-convolution ops against the libtorch ops they replace, computed in float64:
/// values, gradients and (for the pooling, which R1 differentiates twice inside D) the double backward.</summary>
public class FusedElementwiseTests : TorchTest
{
    static void Close(Tensor ours, Tensor reference, string what, double rtol = 1e-5) => ResampledConvTests.Close(ours, reference, what, rtol);

    [Theory]
    [InlineData(8, 8)]
    [InlineData(6, 10)]   // non-square
    [InlineData(7, 9)]    // odd: avg_pool2d drops the last row and column
    public void HalfPool_equals_avg_pool2d_with_gradients_and_double_backward(long h, long w)
    {
        manual_seed(3);
        var x = randn(2, 5, h, w).requires_grad_(true);
        var x64 = x.detach().to(float64).requires_grad_(true);
        var ours = HalfPool.Apply(x);
        var reference = F.avg_pool2d(x64, 2);
        Assert.Equal(reference.shape, ours.shape);
        Close(ours, reference, "forward");

        // R1-style: the input gradient of a nonlinear function of the output, differentiated again.
        Tensor[] R1(Func<Tensor, Tensor> pool, Tensor input)
        {
            var gx = autograd.grad([pool(input).pow(3).sum()], [input], retain_graph: true, create_graph: true)[0];
            return autograd.grad([gx.square().sum()], [input]).ToArray();
        }
        var gOurs = autograd.grad([HalfPool.Apply(x).pow(3).sum()], [x])[0];
        var gRef = autograd.grad([F.avg_pool2d(x64, 2).pow(3).sum()], [x64])[0];
        Close(gOurs, gRef, "backward");
        Close(R1(HalfPool.Apply, x)[0], R1(t => F.avg_pool2d(t, 2), x64)[0], "double backward");
    }

    [Fact]
    public void AdaIN_equals_instance_norm_then_the_style_affine_with_gradients()
    {
        manual_seed(4);
        var adain = new AdaIN(styleDim: 6, numFeatures: 5);
        var x = (randn(3, 5, 8, 8) * 2 + 0.5).requires_grad_(true);
        var s = randn(3, 6).requires_grad_(true);
        var ours = adain.call(x, s);

        // The official form: (1 + gamma) * InstanceNorm2d(x) + beta, with (gamma, beta) = fc(s) split in two, in float64.
        var fcW = adain.parameters().First(p => p.dim() == 2).detach().to(float64).requires_grad_(true);
        var fcB = adain.parameters().First(p => p.dim() == 1).detach().to(float64).requires_grad_(true);
        var x64 = x.detach().to(float64).requires_grad_(true);
        var s64 = s.detach().to(float64).requires_grad_(true);
        var gb = F.linear(s64, fcW, fcB).view(3, 10, 1, 1).chunk(2, 1);
        var reference = (1 + gb[0]) * F.instance_norm(x64, eps: 1e-5) + gb[1];
        Close(ours, reference, "forward");

        var upstream = randn(3, 5, 8, 8, dtype: float64);
        var a = autograd.grad([ours], [x, s, adain.parameters().First(p => p.dim() == 2)], [upstream.to(float32)]);
        var b = autograd.grad([reference], [x64, s64, fcW], [upstream]);
        foreach (var (ga, gr) in a.Zip(b)) Close(ga, gr, "backward", 1e-4);
    }
}
