using System.Runtime;

namespace StarGanLab.Native;

/// <summary>Runs a stretch of tensor work with the garbage collector held off, then lets it collect.</summary>
/// <remarks>Why: TorchSharp 0.107 turns numbers into <c>Scalar</c> objects implicitly (every <c>tensor + tensor</c>
/// passes alpha = 1 that way) and hands the native call only their handle, so nothing keeps the Scalar alive during
/// the call. A GC on any thread can then finalize it and free the native value while libtorch reads it: the run dies
/// with "Expected false to be true ... toFloat" (seen in sweeps after about 150 quickstart steps; TorchSharp pull
/// requests 1434 and 1496, not released). An object created during a no-GC region cannot be found dead, hence not
/// finalized, before the region ends, so a training step inside one is safe; its garbage is collected right after.
/// If the step allocates more than the budget the runtime ends the region early (counted in <see cref="Lapses"/>).
/// Every command's tensor work runs in such regions, one per unit of work: a training step (Trainer.TrainStep), an
/// evaluation batch (Metrics), a sampled grid, frame or translation (Sampling), a kernel self-check probe (the guard at
/// every start, doctor), an aligned batch (align). The cure belongs in TorchSharp (keeping or disposing the Scalars it
/// makes); until a release has it, this is the one place the lab works around it.</remarks>
public sealed class NoGcRegion : IDisposable
{
    /// <summary>Managed bytes a step may allocate: tensor wrappers take well under 1 MB per quickstart step; the rest is
    /// room for the prefetching workers' image arrays, which allocate meanwhile.</summary>
    public const long DefaultBudget = 128L << 20;

    static long lapses;
    readonly bool entered;

    /// <summary>Regions that ended before their Dispose because the budget ran out (the step was then unprotected).</summary>
    public static long Lapses => Interlocked.Read(ref lapses);

    public NoGcRegion(long budget = DefaultBudget)
    {
        try
        {
            entered = GCSettings.LatencyMode != GCLatencyMode.NoGCRegion && GC.TryStartNoGCRegion(budget);
        }
        catch (ArgumentOutOfRangeException)
        {
            entered = false;   // a budget beyond what this GC configuration allows: run unprotected rather than fail
        }
        catch (InvalidOperationException)
        {
            entered = false;   // another thread's region started in between (in-process parallel training, tests)
        }
    }

    public void Dispose()
    {
        if (!entered) return;
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
        else Interlocked.Increment(ref lapses);
        // Collect now: without it each new region reserved fresh memory while the previous step's garbage waited, and
        // RSS climbed (1000 tiny steps: 641 MiB without regions, 1899 MiB with them, 310 MiB with this collection; at
        // quickstart size it costs nothing measurable, 0.381 vs 0.377 s/iter).
        GC.Collect();
    }
}
