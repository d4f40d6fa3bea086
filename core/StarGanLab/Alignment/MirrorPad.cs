using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Alignment;

/// <summary>The official pad_mirror: pads an image by half its size on every side with its mirror image and fades
/// the mirrored border into a blurred copy, so that a rotated or shrunk face is not framed by black corners.</summary>
public static class MirrorPad
{
    const double GaussianTruncate = 4.0;   // scipy.ndimage's default, used by skimage.filters.gaussian

    /// <param name="image">(3, H, W) float64 in [0, 255].</param>
    /// <returns>The (3, H + 2*(H/2), W + 2*(W/2)) padded image and the (x, y) offset to add to landmarks.</returns>
    public static (Tensor Image, (double X, double Y) Offset) Apply(Tensor image)
    {
        using var scope = NewDisposeScope();
        long h = image.size(1), w = image.size(2);
        var padded = F.pad(image.unsqueeze(0), [w / 2, w / 2, h / 2, h / 2], PaddingModes.Reflect);   // numpy 'reflect'
        long hp = padded.size(2), wp = padded.size(3);

        // cv2.resize (bilinear, no antialiasing) to the original size with a uint8 result, blurred as
        // skimage.filters.gaussian does (on [0, 1], sigma = H // 100, edges replicated), then resized back up.
        var small = F.interpolate(padded, size: [h, w], mode: InterpolationMode.Bilinear, align_corners: false).round().clamp(0, 255) / 255;
        var blurred = F.interpolate(Gaussian(small, h / 100), size: [hp, wp], mode: InterpolationMode.Bilinear, align_corners: false) * 255;

        long ramp = hp / 4;   // the official uses H // 4 for both axes
        var wy = Ramp(hp, ramp, image.dtype).view(-1, 1);
        var wx = Ramp(wp, ramp, image.dtype).view(1, -1);
        var weight = minimum(wy, wx).pow(4);
        var result = padded * weight + blurred * (1 - weight);
        return (result.squeeze(0).MoveToOuterDisposeScope(), (wp / 4, hp / 4));
    }

    /// <summary>min(i / ramp, (n - 1 - i) / ramp) clamped to [0, 1]: 0 at the edges, 1 from <paramref name="ramp"/> inwards.</summary>
    static Tensor Ramp(long n, long ramp, ScalarType dtype)
    {
        var i = arange(n, dtype: dtype);
        var up = (i / ramp).clamp(0, 1);
        return minimum(up, up.flip(0));
    }

    /// <summary>Separable Gaussian blur of (1, C, H, W) with replicated edges; sigma 0 leaves the image unchanged.</summary>
    static Tensor Gaussian(Tensor x, long sigma)
    {
        if (sigma <= 0) return x;
        long radius = (long)(GaussianTruncate * sigma + 0.5);
        var t = arange(-radius, radius + 1, dtype: x.dtype);
        var k = exp(-0.5 * t * t / (sigma * sigma));
        k = k / k.sum();
        long c = x.size(1);
        var kx = k.view(1, 1, 1, -1).repeat(c, 1, 1, 1);
        var ky = k.view(1, 1, -1, 1).repeat(c, 1, 1, 1);
        x = F.conv2d(F.pad(x, [radius, radius, 0, 0], PaddingModes.Replicate), kx, groups: c);
        return F.conv2d(F.pad(x, [0, 0, radius, radius], PaddingModes.Replicate), ky, groups: c);
    }
}
