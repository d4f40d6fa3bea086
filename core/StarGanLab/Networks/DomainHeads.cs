using static TorchSharp.torch;

namespace StarGanLab.Networks;

/// <summary>Picks each sample's own domain output from per-domain heads (multi-task outputs, paper section 3).</summary>
static class DomainHeads
{
    /// <summary>stacked: (B, D, ...) -> (B, ...) taking stacked[i, y[i]]; same values and gradients as the
    /// official advanced indexing out[arange(B), y].</summary>
    public static Tensor Select(Tensor stacked, Tensor y)
    {
        using var idx = arange(y.size(0), dtype: int64, device: y.device);
        return stacked.index(TensorIndex.Tensor(idx), TensorIndex.Tensor(y));
    }
}
