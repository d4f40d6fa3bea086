namespace StarGanLab.Data;

/// <summary>Picks the batch source for a worker count, so configs can say <c>workers: 0</c> for debugging.</summary>
public static class BatchSources
{
    /// <summary>Both kinds yield the same stream; <paramref name="startBatch"/> is the resume position.</summary>
    public static IBatchSource Open(IImageSource source, BatchOptions options, long startBatch = 0) =>
        options.Workers == 0
            ? new BatchSource(source, options, startBatch)
            : new PrefetchingBatchSource(source, options, startBatch);
}
