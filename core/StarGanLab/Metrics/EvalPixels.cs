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

    /// <summary>Resizes 8-bit images as PIL's bilinear Resize does in the official loader: a triangle filter (antialiased
    /// when shrinking), horizontal pass first, each pass rounded to 8 bits as PIL stores it.</summary>
    public static Tensor Resize(Tensor bytes, int size)
    {
        if (bytes.size(2) == size && bytes.size(3) == size) return bytes.alias();
        using var scope = NewDisposeScope();
        var wide = Pass(bytes, bytes.size(2), size);
        return Pass(wide, size, size).MoveToOuterDisposeScope();
    }

    static Tensor Pass(Tensor x, long height, long width)
    {
        if (x.size(2) == height && x.size(3) == width) return x;
        bool shrink = x.size(2) > height || x.size(3) > width;
        return nn.functional.interpolate(x, [height, width], mode: InterpolationMode.Bilinear, align_corners: false, antialias: shrink)
            .round().clamp(0, 255);
    }
}
