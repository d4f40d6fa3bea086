using StarGanLab.Data;
using static TorchSharp.torch;

namespace StarGanLab.Metrics.GroundTruth;

/// <summary>The true factors of a batch of synthetic images in the oracle's units: content (N, 4), style (N, 6) and
/// texture kind (N, int64), as <see cref="Renders"/> builds them.</summary>
internal sealed record KnownFactors(Tensor Content, Tensor Style, Tensor Texture)
{
    public static KnownFactors Of(IReadOnlyList<SyntheticFactors> factors) =>
        new(Renders.Content(factors), Renders.Style(factors), Renders.Texture(factors));
}
