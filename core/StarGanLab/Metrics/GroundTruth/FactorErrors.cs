using static TorchSharp.torch;

namespace StarGanLab.Metrics.GroundTruth;

/// <summary>The per-image error measures shared by the oracle's self-check and the translation metrics, so the
/// oracle's floor and the metrics are in the same units.</summary>
public static class FactorErrors
{
    /// <summary>(N): mean absolute difference over the last dimension, e.g. the 4 normalised content factors or the
    /// 6 colour channels.</summary>
    public static Tensor MeanAbs(Tensor predicted, Tensor target) => (predicted - target).abs().mean([1]);

    /// <summary>(N): for each image, the mean over all pairs of its K style predictions of their mean absolute
    /// difference; <paramref name="styles"/> is (K, N, C). How far apart the styles of one input's outputs are.</summary>
    public static Tensor PairwiseSpread(Tensor styles)
    {
        long k = styles.size(0);
        if (k < 2) throw new ArgumentException($"a spread needs at least 2 outputs per input, got {k}");
        using var scope = NewDisposeScope();
        // |s_i - s_j| averaged over channels, for every ordered pair; the diagonal is zero, so dividing the sum by
        // K(K-1) is the mean over the distinct pairs.
        var diff = (styles.unsqueeze(0) - styles.unsqueeze(1)).abs().mean([3]);   // (K, K, N)
        return (diff.sum([0, 1]) / (k * (k - 1))).MoveToOuterDisposeScope();
    }
}
