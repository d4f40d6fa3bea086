using StarGanLab.Config;
using StarGanLab.Runs;
using StarGanLab.Training;

namespace StarGanLab.Sweeps;

/// <summary>Where a run of a sweep stands, from its folder and task record alone.</summary>
public enum RunState
{
    /// <summary>Nothing on disk yet.</summary>
    Pending,
    /// <summary>A task holds the run's lock now.</summary>
    Running,
    /// <summary>Started, not finished, not failed: the next attempt resumes it (or starts over if no checkpoint was written).</summary>
    Interrupted,
    /// <summary>The last attempt ended with an error; the next attempt retries from the newest checkpoint.</summary>
    Failed,
    /// <summary>The newest complete checkpoint is at train.total_iters (and, with metrics.eval_at_end, that step is evaluated).</summary>
    Finished,
    /// <summary>Trained to train.total_iters, but the end-of-run evaluation metrics.eval_at_end asks for is not in
    /// metrics.jsonl (the run was stopped while it evaluated): the next attempt evaluates, without training.</summary>
    Unevaluated,
    /// <summary>The run folder holds a run of a different config (the spec changed); the sweep will not touch it.</summary>
    Conflict,
}

/// <param name="Step">The newest complete checkpoint's step (0 if none).</param>
/// <param name="Detail">Why, in words: the failure's exit code, the keys that conflict, ...</param>
public sealed record RunStatus(SweepRun Run, RunState State, long Step, string Detail)
{
    public long TotalIters => Run.Config.Train.TotalIters;

    /// <summary>Keys that may differ between a run's config.yaml and the spec without making it another run: where
    /// it lives, how many threads it used, and how long it trains (a longer train.total_iters extends a run).</summary>
    static readonly string[] Incidental = ["run.root", "run.name", "threads", "train.total_iters"];

    /// <param name="checkLock">false when the caller holds the run's lock itself (a task deciding what to do).</param>
    public static RunStatus Inspect(SweepFolder folder, SweepRun run, bool checkLock = true)
    {
        string dir = folder.RunDirectory(run.Name);
        string configFile = Path.Combine(dir, RunDirectory.ConfigFileName);
        long step = TrainerCheckpoints.CompleteSteps(Path.Combine(dir, "checkpoints")).FirstOrDefault();
        var record = TaskRecord.Read(folder.TaskFile(run.Name));

        if (checkLock && IO.FileLock.IsHeld(folder.LockFile(run.Name)))
            return new(run, RunState.Running, step, record is { } r ? $"on {r.Host}, pid {r.Pid}{(r.SlurmTask is { } t ? $", Slurm task {t}" : "")}" : "");
        if (File.Exists(configFile) && Conflicts(run, configFile) is { Length: > 0 } conflict)
            return new(run, RunState.Conflict, step, conflict);
        if (step >= run.Config.Train.TotalIters)
            return run.Config.Metrics.EvalAtEnd && !Metrics.EvalWriter.HasStep(Path.Combine(dir, Reports.RunResults.MetricsFileName), step)
                ? new(run, RunState.Unevaluated, step, $"trained to step {step}, but its end-of-run evaluation is not in {Reports.RunResults.MetricsFileName}")
                : new(run, RunState.Finished, step, "");
        if (record is { State: TaskRecord.Failed })
            return new(run, RunState.Failed, step, $"exit code {record.ExitCode} at {record.Ended:u} on {record.Host}");
        if (record is not null || Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any())
            return new(run, RunState.Interrupted, step, record switch
            {
                { State: TaskRecord.Running } => $"the last attempt (on {record.Host}, pid {record.Pid}) ended without a word (killed?)",
                { State: TaskRecord.Stopped } => $"stopped by a signal (exit code {record.ExitCode})",
                _ => step > 0 ? "" : "no checkpoint yet: starts over",
            });
        return new(run, RunState.Pending, 0, "");
    }

    /// <summary>"key: run has X, the sweep gives Y" for every key that makes the folder's run another run; empty if none.</summary>
    static string Conflicts(SweepRun run, string configFile)
    {
        ExperimentConfig existing;
        try
        {
            existing = ConfigLoader.Load(configFile);
        }
        catch (ConfigException e)
        {
            return $"its {configFile} does not load: {e.Problems[0]}";
        }
        var have = ConfigWriter.Flatten(existing).ToDictionary(kv => kv.Key, kv => kv.Value);
        var differ = ConfigWriter.Flatten(run.Config)
            .Where(kv => !Incidental.Contains(kv.Key) && have.GetValueOrDefault(kv.Key) != kv.Value)
            .Select(kv => $"{kv.Key}: the run has {have.GetValueOrDefault(kv.Key) ?? "nothing"}, the sweep gives {kv.Value}")
            .ToList();
        return differ.Count == 0 ? ""
            : $"{Path.GetDirectoryName(configFile)} holds another config ({string.Join("; ", differ)}); move it away or give the sweep another root";
    }
}
