namespace StarGanLab.Data;

/// <summary>
/// An endless, deterministic stream of training batches. Batch k depends only on (data, options, seed, k), so a source
/// built with <c>startBatch: k</c> continues exactly where a run that had consumed k batches stopped.
/// </summary>
public interface IBatchSource : IDisposable
{
    IReadOnlyList<string> DomainNames { get; }

    /// <summary>Index of the batch the next <see cref="Next"/> returns; save it in checkpoints to resume.</summary>
    long BatchIndex { get; }

    /// <summary>The next batch; the caller owns (and disposes) its tensors.</summary>
    Batch Next();
}
