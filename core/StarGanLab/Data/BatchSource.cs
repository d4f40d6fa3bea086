namespace StarGanLab.Data;

/// <summary>Single-threaded batches: decodes on the caller's thread. The reference the prefetching source must equal.</summary>
public sealed class BatchSource : IBatchSource
{
    readonly BatchAssembler assembler;

    /// <param name="startBatch">Index of the first batch to return (resume position).</param>
    public BatchSource(IImageSource source, BatchOptions options, long startBatch = 0)
    {
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(startBatch);
        assembler = new BatchAssembler(source, options);
        DomainNames = source.DomainNames;
        BatchIndex = startBatch;
    }

    public IReadOnlyList<string> DomainNames { get; }
    public long BatchIndex { get; private set; }

    public Batch Next() => assembler.Assemble(BatchIndex++).ToTensors();

    public void Dispose() { }
}
