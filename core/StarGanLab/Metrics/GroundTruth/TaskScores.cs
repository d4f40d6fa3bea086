using static TorchSharp.torch;

namespace StarGanLab.Metrics.GroundTruth;

/// <summary>Running sums of one task's per-translation scores (and per-source diversities).</summary>
internal sealed class TaskScores
{
    double domainHits, contentErr, contentErrVsRef, styleErr, textureHits, spread;
    long translations, sources;

    public void AddOutputs(OraclePrediction p, int targetDomain, Tensor sourceContent, Tensor? referenceContent, Tensor? referenceStyle, Tensor? referenceTexture)
    {
        using var scope = NewDisposeScope();
        translations += p.Domain.size(0);
        domainHits += p.Domain.eq(targetDomain).sum().to(float64).item<double>();
        contentErr += FactorErrors.MeanAbs(p.Content, sourceContent).sum().to(float64).item<double>();
        if (referenceContent is not null) contentErrVsRef += FactorErrors.MeanAbs(p.Content, referenceContent).sum().to(float64).item<double>();
        if (referenceStyle is not null) styleErr += FactorErrors.MeanAbs(p.Style, referenceStyle).sum().to(float64).item<double>();
        if (referenceTexture is not null) textureHits += p.Texture.eq(referenceTexture).sum().to(float64).item<double>();
    }

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
    public double Diversity => spread / sources;
}
