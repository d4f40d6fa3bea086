using System.Collections.Concurrent;

namespace StarGanLab.Data;

/// <summary>
/// Decodes and augments batches on background threads while the trainer computes. Worker threads only fill arrays;
/// tensors are made on the consumer's thread in <see cref="Next"/>. Each batch is assembled from its own index alone,
/// so the stream is identical to <see cref="BatchSource"/> whatever the thread count or timing.
/// </summary>
public sealed class PrefetchingBatchSource : IBatchSource
{
    readonly BatchAssembler assembler;
    readonly int depth;
    readonly BlockingCollection<(long Index, TaskCompletionSource<BatchData> Result)> work = new();
    readonly Queue<TaskCompletionSource<BatchData>> pending = new();
    readonly Thread[] workers;
    long scheduled;
    bool disposed;

    /// <param name="startBatch">Index of the first batch to return (resume position).</param>
    public PrefetchingBatchSource(IImageSource source, BatchOptions options, long startBatch = 0)
    {
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(startBatch);
        if (options.Workers < 1) throw new ArgumentException($"Workers={options.Workers}: prefetching needs at least one worker (use BatchSource for none)", nameof(options));
        assembler = new BatchAssembler(source, options);
        DomainNames = source.DomainNames;
        depth = Math.Max(options.PrefetchDepth, options.Workers);
        BatchIndex = scheduled = startBatch;
        workers = new Thread[options.Workers];
        for (int i = 0; i < workers.Length; i++)
        {
            workers[i] = new Thread(Work) { IsBackground = true, Name = $"stargan-data-{i}" };
            workers[i].Start();
        }
        TopUp();
    }

    public IReadOnlyList<string> DomainNames { get; }
    public long BatchIndex { get; private set; }

    /// <summary>Blocks until batch <see cref="BatchIndex"/> is ready; rethrows a worker's exception (e.g. a file that vanished).</summary>
    public Batch Next()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        TaskCompletionSource<BatchData> next = pending.Dequeue();
        TopUp();
        BatchData data = next.Task.GetAwaiter().GetResult();
        BatchIndex++;
        return data.ToTensors();
    }

    void TopUp()
    {
        while (pending.Count < depth)
        {
            var tcs = new TaskCompletionSource<BatchData>(TaskCreationOptions.RunContinuationsAsynchronously);
            pending.Enqueue(tcs);
            work.Add((scheduled++, tcs));
        }
    }

    void Work()
    {
        foreach ((long index, TaskCompletionSource<BatchData> result) in work.GetConsumingEnumerable())
        {
            try { result.SetResult(assembler.Assemble(index)); }
            catch (Exception e) { result.SetException(e); }
        }
    }

    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        work.CompleteAdding();
        // Drop queued work so Dispose does not wait for batches nobody will read.
        while (work.TryTake(out _)) { }
        foreach (Thread t in workers) t.Join();
        work.Dispose();
    }
}
