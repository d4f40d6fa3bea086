using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Metrics;

/// <summary>Mean and covariance of a set of feature vectors, in float64 on the CPU (what FID compares).
/// The covariance is unbiased (divides by N - 1), as numpy.cov in the official metrics/fid.py. Owns its tensors.</summary>
public sealed record FeatureStats(Tensor Mean, Tensor Cov, long Count) : IDisposable
{
    /// <summary>Statistics of <paramref name="features"/> (N, D); N must be at least 2.</summary>
    public static FeatureStats Of(Tensor features)
    {
        long n = features.size(0);
        if (features.dim() != 2 || n < 2)
            throw new ArgumentException($"feature statistics need a (N >= 2, D) matrix, got [{string.Join(", ", features.shape)}]");
        using var scope = NewDisposeScope();
        var f = features.to(ScalarType.Float64, CPU);
        var mean = f.mean([0]);
        var centred = f - mean;
        var cov = centred.t().matmul(centred) / (n - 1);
        return new FeatureStats(mean.MoveToOuterDisposeScope(), cov.MoveToOuterDisposeScope(), n);
    }

    public void Dispose() { Mean.Dispose(); Cov.Dispose(); }
}
