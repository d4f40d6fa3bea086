using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Alignment;

/// <summary>cv2.warpPerspective's mapping (output pixel p takes the source at M^-1 p, pixel centres at integer
/// coordinates, zero outside) with bicubic sampling. The official uses Lanczos-4 (8x8 taps); bicubic (OpenCV's INTER_CUBIC kernel,
/// a = -0.75) is slightly softer.</summary>
public static class ImageWarp
{
    /// <param name="image">(C, H, W) float64.</param>
    /// <param name="m">3x3 row-major matrix mapping source pixels to output pixels.</param>
    public static Tensor Apply(Tensor image, double[,] m, long outHeight, long outWidth)
    {
        using var scope = NewDisposeScope();
        var inv = Invert(m);
        var v = arange(outHeight, dtype: float64).view(-1, 1).expand(outHeight, outWidth);
        var u = arange(outWidth, dtype: float64).view(1, -1).expand(outHeight, outWidth);
        var den = inv[2, 0] * u + inv[2, 1] * v + inv[2, 2];
        var sx = (inv[0, 0] * u + inv[0, 1] * v + inv[0, 2]) / den;
        var sy = (inv[1, 0] * u + inv[1, 1] * v + inv[1, 2]) / den;
        var outImage = Bicubic(image, sx, sy);
        return outImage.MoveToOuterDisposeScope();
    }

    const double CubicA = -0.75;   // OpenCV's INTER_CUBIC (and PyTorch's bicubic) kernel parameter

    /// <summary>Samples (C, H, W) at (sy, sx) (each (h, w), pixel centres at integers) with the 4x4 cubic
    /// convolution kernel; taps outside the image count as zero (cv2.BORDER_CONSTANT).</summary>
    static Tensor Bicubic(Tensor image, Tensor sx, Tensor sy)
    {
        long c = image.size(0), h = image.size(1), w = image.size(2);
        var flat = image.reshape(c, h * w);
        var x0 = sx.floor();
        var y0 = sy.floor();
        var fx = sx - x0;
        var fy = sy - y0;
        Tensor result = zeros(c, sx.size(0), sx.size(1), dtype: image.dtype);
        for (int j = -1; j <= 2; j++)
        {
            var yj = y0 + j;
            var wy = Kernel(fy - j);
            for (int i = -1; i <= 2; i++)
            {
                var xi = x0 + i;
                var inside = (xi >= 0) & (xi <= w - 1) & (yj >= 0) & (yj <= h - 1);
                var index = (yj.clamp(0, h - 1) * w + xi.clamp(0, w - 1)).to(int64).flatten();
                var taps = flat.index_select(1, index).view(c, sx.size(0), sx.size(1));
                var weight = (wy * Kernel(fx - i)).masked_fill(inside.logical_not(), 0);
                result = result + taps * weight.to(image.dtype);
            }
        }
        return result;
    }

    /// <summary>The cubic convolution kernel (Keys 1981) at distance t.</summary>
    static Tensor Kernel(Tensor t)
    {
        var a = t.abs();
        var near = ((CubicA + 2) * a - (CubicA + 3)) * a * a + 1;
        var far = ((CubicA * a - 5 * CubicA) * a + 8 * CubicA) * a - 4 * CubicA;
        return where(a <= 1, near, where(a < 2, far, zeros_like(a)));
    }

    public static double[,] Invert(double[,] m)
    {
        double a = m[0, 0], b = m[0, 1], c = m[0, 2], d = m[1, 0], e = m[1, 1], f = m[1, 2], g = m[2, 0], h = m[2, 1], i = m[2, 2];
        double det = a * (e * i - f * h) - b * (d * i - f * g) + c * (d * h - e * g);
        if (Math.Abs(det) < 1e-12) throw new ArgumentException("the alignment transform is singular (degenerate landmarks)");
        return new double[,]
        {
            { (e * i - f * h) / det, (c * h - b * i) / det, (b * f - c * e) / det },
            { (f * g - d * i) / det, (a * i - c * g) / det, (c * d - a * f) / det },
            { (d * h - e * g) / det, (b * g - a * h) / det, (a * e - b * d) / det },
        };
    }
}
