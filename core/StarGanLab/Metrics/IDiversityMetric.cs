using static TorchSharp.torch;

namespace StarGanLab.Metrics;

/// <summary>How far apart the outputs of one input are: the official LPIPS protocol's inner step. Given the
/// num_outs_per_domain fakes of a batch of inputs (generator outputs in [-1, 1]) and their backbone features,
/// the mean distance over all pairs of outputs.</summary>
public interface IDiversityMetric : IDisposable
{
    /// <summary>Metric name prefix: "LPIPS" or "lpips_resnet18".</summary>
    string Name { get; }

    double GroupDistance(IReadOnlyList<Tensor> fakes, IReadOnlyList<Tensor> features);
}

/// <summary>The official LPIPS (AlexNet + linear weights) on the raw fakes, averaged over the pairs i &lt; j.</summary>
public sealed class LpipsDiversity(Lpips lpips) : IDiversityMetric
{
    public string Name => "LPIPS";

    public double GroupDistance(IReadOnlyList<Tensor> fakes, IReadOnlyList<Tensor> features)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var values = Pairs(fakes.Count).Select(p => lpips.call(fakes[p.I], fakes[p.J])).ToArray();
        return stack(values).mean().item<float>();
    }

    internal static IEnumerable<(int I, int J)> Pairs(int n) =>
        Enumerable.Range(0, n).SelectMany(i => Enumerable.Range(i + 1, n - i - 1).Select(j => (i, j)));

    public void Dispose() => lpips.Dispose();
}

/// <summary>lpips_resnet18: NOT LPIPS. The ONNX ResNet18 exposes only its pooled features, so this is the squared
/// distance between unit-normalised 512-d pool features (2 - 2 cos), averaged over the batch and over the pairs
/// i &lt; j of outputs: the same protocol as the official LPIPS with one feature level and uniform weights. It
/// reuses the features computed for fid_resnet18 (of the 8-bit fakes).</summary>
public sealed class PoolFeatureDiversity(string name) : IDiversityMetric
{
    public string Name => name;

    public double GroupDistance(IReadOnlyList<Tensor> fakes, IReadOnlyList<Tensor> features)
    {
        using var scope = NewDisposeScope();
        var units = features.Select(f => Lpips.UnitNormalize(f.to(ScalarType.Float64))).ToArray();
        var values = LpipsDiversity.Pairs(units.Length).Select(p => (units[p.I] - units[p.J]).square().sum(1).mean()).ToArray();
        return stack(values).mean().item<double>();
    }

    public void Dispose() { }
}
