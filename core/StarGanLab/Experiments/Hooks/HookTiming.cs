using System.Globalization;

namespace StarGanLab.Experiments.Hooks;

/// <summary>Wall time each hook took on the training thread over a run, so a run can say what its samples,
/// checkpoints and logs cost next to the steps (the hooks run between steps, not beside them).</summary>
/// <param name="clock">The system clock unless a test passes its own.</param>
public sealed class HookTiming(TimeProvider? clock = null)
{
    readonly Dictionary<ITrainHook, TimeSpan> spent = new(ReferenceEqualityComparer.Instance);
    readonly TimeProvider clock = clock ?? TimeProvider.System;

    public IReadOnlyDictionary<ITrainHook, TimeSpan> Spent => spent;

    public void Time(ITrainHook hook, Action call)
    {
        long start = clock.GetTimestamp();
        try { call(); }
        finally { spent[hook] = spent.GetValueOrDefault(hook) + clock.GetElapsedTime(start); }
    }

    /// <summary>"hooks took 3.2 s of 412.0 s (0.8%): SampleHook 2.9 s, CheckpointHook 0.3 s", hooks under 50 ms left
    /// out (they would print as 0.0 s); null when no hook took that long.</summary>
    public string? Report(TimeSpan run)
    {
        var notable = spent.Where(kv => kv.Value.TotalSeconds >= 0.05).OrderByDescending(kv => kv.Value).ToList();
        if (notable.Count == 0) return null;
        var total = notable.Aggregate(TimeSpan.Zero, (a, kv) => a + kv.Value);
        var c = CultureInfo.InvariantCulture;
        double share = run.TotalSeconds > 0 ? 100 * total.TotalSeconds / run.TotalSeconds : 0;
        return string.Create(c, $"hooks took {total.TotalSeconds:F1} s of {run.TotalSeconds:F1} s ({share:F1}%): ")
               + string.Join(", ", notable.Select(kv => string.Create(c, $"{kv.Key.GetType().Name} {kv.Value.TotalSeconds:F1} s")));
    }
}
