using StarGanLab.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Metrics.GroundTruth;

/// <summary>
/// The ground truth a translation approaches, rendered: the target domain's shape with the source's content and the
/// reference's style (reference mode) or the style of a random training image of the target domain (latent mode, where
/// any style of the domain is right). Scores the best any translator can under the oracle, which calibrates the metrics.
/// </summary>
public sealed class PerfectTranslator(SyntheticDomains set) : IGroundTruthTranslator
{
    public Tensor Translate(TranslationRequest r)
    {
        var styles = r.ReferenceFactors ?? DrawStyles(r.TargetDomain, r.SourceFactors.Count, r.Rng);
        var items = r.SourceFactors.Select((src, i) => new Rendering(r.TargetDomain, styles[i].WithContentOf(src))).ToArray();
        return Renders.Images(set, items);
    }

    IReadOnlyList<SyntheticFactors> DrawStyles(int domain, int n, torch.Generator rng)
    {
        using var picks = randint(set.Count(Split.Train), [n], generator: rng);
        return picks.data<long>().Select(i => set.Factors(domain, (int)i, Split.Train)).ToArray();
    }
}
