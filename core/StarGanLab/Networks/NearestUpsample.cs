using static TorchSharp.torch;

namespace StarGanLab.Networks;

/// <summary>Nearest-neighbour 2x upsampling (F.interpolate(x, scale_factor=2, mode='nearest')) built from two
/// stacks of the input with itself: each element repeated along the height, then along the width.</summary>
/// <remarks>Why not F.interpolate: libtorch 2.10's nearest kernel is 4-8x slower than a copy on the decoder's
/// shapes (8x128x32x32: 14.5 ms forward against 2.2 ms here, 19 ms forward+backward against 4.2 ms), and the
/// generator calls it twice per upsampling block in every one of its eight passes per iteration. The forward is
/// bit-identical; the backward adds each 2x2 block's four gradients as (a + c) + (b + d) instead of the kernel's
/// running sum, a rounding-level difference (at most 1 ulp of the sum).</remarks>
public static class NearestUpsample
{
    public static Tensor Twice(Tensor x)
    {
        long b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        using var rows = stack([x, x], dim: 3);                      // (b, c, h, 2, w)
        using var tall = rows.reshape(b, c, 2 * h, w);
        using var cols = stack([tall, tall], dim: 4);               // (b, c, 2h, w, 2)
        return cols.reshape(b, c, 2 * h, 2 * w);
    }
}
