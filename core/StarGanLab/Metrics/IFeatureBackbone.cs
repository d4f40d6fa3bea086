using static TorchSharp.torch;

namespace StarGanLab.Metrics;

/// <summary>A pretrained network that turns images into one feature vector each (what FID compares).</summary>
public interface IFeatureBackbone : IDisposable
{
    /// <summary>Short name used in metric names and cache keys: "inception", "resnet18".</summary>
    string Name { get; }

    /// <summary>What identifies the weights (file name, size and a hash of its content), for the real-statistics cache.</summary>
    string Identity { get; }

    /// <summary>Features (N, D) float32 on the CPU of <paramref name="images"/>: (N, 3, H, W) RGB holding integer
    /// values 0..255 (an 8-bit image, as the official code re-reads its saved fakes), any H and W.</summary>
    Tensor Features(Tensor images);
}
