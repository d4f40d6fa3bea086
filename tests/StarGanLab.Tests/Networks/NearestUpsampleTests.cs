using StarGanLab.Networks;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Networks;

public class NearestUpsampleTests : TorchTest
{
    [Theory]
    [InlineData(2, 3, 4, 4)]
    [InlineData(3, 5, 7, 6)]     // odd, non-square
    public void Forward_equals_interpolate_nearest_and_backward_sums_each_block(long b, long c, long h, long w)
    {
        manual_seed(3);
        using var scope = NewDisposeScope();
        var x = randn(b, c, h, w).requires_grad_(true);
        var g = randn(b, c, 2 * h, 2 * w);

        var ours = NearestUpsample.Twice(x);
        var theirs = nn.functional.interpolate(x, scale_factor: [2.0, 2.0], mode: InterpolationMode.Nearest);
        Assert.True(ours.equal(theirs).all().item<bool>(), "forward must be bit-identical to F.interpolate nearest");

        var gradOurs = autograd.grad([ours], [x], [g])[0];
        var gradTheirs = autograd.grad([theirs], [x], [g])[0];
        Assert.True(gradOurs.allclose(gradTheirs, rtol: 1e-6, atol: 1e-6), "backward: the sum of each 2x2 block of grads");
        // Independently of libtorch: the block sums written out.
        var blocks = g.reshape(b, c, h, 2, w, 2).sum([3, 5]);
        Assert.True(gradOurs.allclose(blocks, rtol: 1e-6, atol: 1e-6));
    }
}
