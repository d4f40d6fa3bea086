using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Metrics;

/// <summary>The pixel conversions of the official evaluation, on tensors instead of PNG files.</summary>
public static class EvalPixels
{
    /// <summary>Generator output in [-1, 1] to the 8-bit values the official code writes to PNG
    /// (utils.save_image: (x + 1) / 2 clamped to [0, 1], then torchvision's floor(255 x + 0.5)). Float tensor of integers.</summary>
    public static Tensor ToBytes(Tensor x)
    {
        using var scope = NewDisposeScope();
        return ((x + 1) / 2).clamp(0, 1).mul(255).add(0.5).floor().MoveToOuterDisposeScope();
    }

    /// <summary>Resizes 8-bit images as PIL's bilinear Resize does in the official loader: bilinear with half-pixel
    /// centres, antialiased when shrinking, and the result rounded back to 8 bits.</summary>
    public static Tensor Resize(Tensor bytes, int size)
    {
        if (bytes.size(2) == size && bytes.size(3) == size) return bytes.alias();
        using var scope = NewDisposeScope();
        bool shrink = bytes.size(2) > size || bytes.size(3) > size;
        var r = nn.functional.interpolate(bytes, [size, size], mode: InterpolationMode.Bilinear, align_corners: false, antialias: shrink);
        return r.round().clamp(0, 255).MoveToOuterDisposeScope();
    }
}
