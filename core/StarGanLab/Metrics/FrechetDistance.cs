using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Metrics;

/// <summary>The Frechet distance between two Gaussians, ||mu1 - mu2||^2 + tr(C1 + C2 - 2 (C1 C2)^(1/2)) (Heusel et
/// al. 2017), in float64.</summary>
/// <remarks>The official code takes scipy's sqrtm of the non-symmetric product C1 C2 and drops an imaginary part.
/// Only the trace of the root is needed, and C1 C2 is similar to the symmetric PSD matrix
/// M = C1^(1/2) C2 C1^(1/2) (same eigenvalues), so tr((C1 C2)^(1/2)) = sum of sqrt(eig(M)): two symmetric
/// eigendecompositions, no complex numbers, no iteration that can fail to converge on singular covariances
/// (fewer samples than feature dimensions, the usual case for small domains). Eigenvalues that rounding makes
/// slightly negative are clamped at 0.</remarks>
public static class FrechetDistance
{
    public static double Compute(FeatureStats a, FeatureStats b) => Compute(a.Mean, a.Cov, b.Mean, b.Cov);

    public static double Compute(Tensor mu1, Tensor cov1, Tensor mu2, Tensor cov2)
    {
        if (!mu1.shape.SequenceEqual(mu2.shape) || !cov1.shape.SequenceEqual(cov2.shape) || cov1.dim() != 2 || cov1.size(0) != mu1.size(0))
            throw new ArgumentException($"Frechet distance needs matching statistics, got mean [{string.Join(", ", mu1.shape)}] / [{string.Join(", ", mu2.shape)}] and covariance [{string.Join(", ", cov1.shape)}] / [{string.Join(", ", cov2.shape)}]");
        using var scope = NewDisposeScope();
        var m1 = mu1.to(ScalarType.Float64, CPU);
        var m2 = mu2.to(ScalarType.Float64, CPU);
        var c1 = Symmetric(cov1.to(ScalarType.Float64, CPU));
        var c2 = Symmetric(cov2.to(ScalarType.Float64, CPU));
        var root1 = PsdSqrt(c1);
        var traceRoot = linalg.eigvalsh(Symmetric(root1.matmul(c2).matmul(root1))).clamp_min(0).sqrt().sum();
        var diff = m1 - m2;
        return (diff.dot(diff) + c1.trace() + c2.trace() - 2 * traceRoot).item<double>();
    }

    /// <summary>The symmetric PSD square root V diag(sqrt(max(l, 0))) V^T.</summary>
    static Tensor PsdSqrt(Tensor c)
    {
        var (l, v) = linalg.eigh(c);
        return (v * l.clamp_min(0).sqrt().unsqueeze(0)).matmul(v.t());
    }

    // (A + A^T) / 2 removes the asymmetry rounding leaves, which eigh would otherwise silently ignore.
    static Tensor Symmetric(Tensor a) => (a + a.t()) / 2;
}
