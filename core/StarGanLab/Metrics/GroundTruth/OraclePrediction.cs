using static TorchSharp.torch;

namespace StarGanLab.Metrics.GroundTruth;

/// <summary>What the oracle reads off a batch of images (CPU tensors): the domain it sees (N, int64), the content
/// factors normalised to [0, 1] (N, 4: x, y, scale, tilt), fur and background RGB (N, 6) and the texture kind (N, int64).</summary>
public sealed record OraclePrediction(Tensor Domain, Tensor Content, Tensor Style, Tensor Texture) : IDisposable
{
    public void Dispose()
    {
        Domain.Dispose(); Content.Dispose(); Style.Dispose(); Texture.Dispose();
    }
}
