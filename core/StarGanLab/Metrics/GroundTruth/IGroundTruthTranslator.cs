using StarGanLab.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Metrics.GroundTruth;

/// <summary>
/// One batch to translate: sources of one domain into <see cref="TargetDomain"/>, with their known factors. In
/// reference mode <see cref="References"/> holds one target-domain reference per source (with its factors); in latent
/// mode it is null and the translator draws its own style from <see cref="Rng"/> (a latent code, for a GAN).
/// </summary>
public sealed record TranslationRequest(
    Tensor Sources, IReadOnlyList<SyntheticFactors> SourceFactors, int SourceDomain, int TargetDomain,
    Tensor? References, IReadOnlyList<SyntheticFactors>? ReferenceFactors, torch.Generator Rng);

/// <summary>Anything that translates synthetic images: a trained model, an untrained one, or the ground truth itself.</summary>
public interface IGroundTruthTranslator
{
    /// <summary>(N, 3, S, S) images in [-1, 1], one per source, on any device.</summary>
    Tensor Translate(TranslationRequest request);
}
