using static TorchSharp.torch;

namespace StarGanLab.Metrics.GroundTruth;

/// <summary>Running sums of one task's per-translation scores (and per-source diversities).</summary>
internal sealed class TaskScores
{
    double domainHits, contentErr, contentErrVsRef, styleErr, textureHits, sourceTextureHits, texturedOutputs, spread;
    long translations, sources;

    /// <summary>Scores one batch of outputs against their sources' factors and, in reference mode, their references'.</summary>
    public void AddOutputs(OraclePrediction p, int targetDomain, KnownFactors source, KnownFactors? reference)
    {
        using var scope = NewDisposeScope();
        translations += p.Domain.size(0);
        domainHits += Count(p.Domain.eq(targetDomain));
        contentErr += FactorErrors.MeanAbs(p.Content, source.Content).sum().to(float64).item<double>();
        texturedOutputs += Count(p.Texture.ne(0));
        if (reference is null) return;
        contentErrVsRef += FactorErrors.MeanAbs(p.Content, reference.Content).sum().to(float64).item<double>();
        styleErr += FactorErrors.MeanAbs(p.Style, reference.Style).sum().to(float64).item<double>();
        textureHits += Count(p.Texture.eq(reference.Texture));
        sourceTextureHits += Count(p.Texture.eq(source.Texture));
    }

    static double Count(Tensor hits) => hits.sum().to(float64).item<double>();

    /// <summary><paramref name="styles"/>: (K, N, 6) style predictions of the K outputs of N sources.</summary>
    public void AddSpread(Tensor styles)
    {
        using var s = FactorErrors.PairwiseSpread(styles);
        sources += styles.size(1);
        spread += s.sum().to(float64).item<double>();
    }

    public double DomainAcc => domainHits / translations;
    public double ContentErr => contentErr / translations;
    public double ContentErrVsRef => contentErrVsRef / translations;
    public double StyleErr => styleErr / translations;
    public double TextureAcc => textureHits / translations;
    public double TextureAccVsSource => sourceTextureHits / translations;
    public double Textured => texturedOutputs / translations;
    public double Diversity => spread / sources;
}
