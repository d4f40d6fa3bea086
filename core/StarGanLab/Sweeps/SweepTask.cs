using StarGanLab.Config;
using StarGanLab.Runs;
using StarGanLab.Training;
using StarGanLab.Experiments;

namespace StarGanLab.Sweeps;

public enum TaskAction
{
    /// <summary>Finished already.</summary>
    Skip,
    /// <summary>A new run directory.</summary>
    Start,
    /// <summary>A run directory without a complete checkpoint: started over, the old attempt kept as NAME.replaced-TIME.</summary>
    Restart,
    /// <summary>Continue from the newest complete checkpoint.</summary>
    Resume,
    /// <summary>Trained to the end; run the end-of-run evaluation that did not finish (<see cref="RunEvaluation.AtEnd"/>).</summary>
    Evaluate,
}

/// <summary>What one task does for its run, decided from what is on disk.</summary>
/// <param name="Threads">The run's share of the cores (cores / parallel runs, or Slurm's CPUs per task); 0: no limit.</param>
public sealed record TaskPlan(TaskAction Action, SweepRun Run, string RunDirectory, int Threads, string Reason)
{
    /// <summary>Torch threads for the run: its share of the cores, or the config's own <c>threads</c> when that is
    /// set and smaller (a spec asking for 1 thread per run keeps it); 0 leaves the config's.</summary>
    public int EffectiveThreads => Threads > 0 && Run.Config.Threads > 0 ? Math.Min(Threads, Run.Config.Threads) : Threads;

    IReadOnlyList<string> ThreadOverride => EffectiveThreads > 0 ? [$"threads={EffectiveThreads}"] : [];

    /// <summary>Overrides for TrainingSession.Resume: the spec's train.total_iters (a longer one extends the run) and
    /// the threads.</summary>
    public IReadOnlyList<string> ResumeOverrides => [$"train.total_iters={Run.Config.Train.TotalIters}", .. ThreadOverride];

    /// <summary>The arguments of `stargan train` that carry out this plan (empty for <see cref="TaskAction.Skip"/> and
    /// <see cref="TaskAction.Evaluate"/>, which train nothing).</summary>
    public IReadOnlyList<string> TrainArguments => Action switch
    {
        TaskAction.Skip or TaskAction.Evaluate => [],
        TaskAction.Resume => ["--resume", RunDirectory, .. ResumeOverrides.SelectMany(o => new[] { "--set", o })],
        _ => [Run.BaseConfig, .. Run.Overrides.Concat(ThreadOverride).SelectMany(o => new[] { "--set", o }),
              .. Action == TaskAction.Restart ? new[] { "--overwrite" } : []],
    };

    /// <summary>Carries out this plan in this process through <see cref="Experiment"/>, with the lab's hooks, tracking
    /// and end-of-run evaluation, exactly as `stargan train` with <see cref="TrainArguments"/> would.</summary>
    public ExperimentResult Train(ExperimentOptions options)
    {
        if (Action == TaskAction.Evaluate) return RunEvaluation.AtEnd(RunDirectory, options with { Overrides = ThreadOverride });
        options = options with { Source = "stargan train " + string.Join(" ", TrainArguments) };
        return Action switch
        {
            TaskAction.Resume => Experiment.Resume(RunDirectory, options with { Overrides = ResumeOverrides }),
            TaskAction.Start or TaskAction.Restart => Experiment.Start(
                EffectiveThreads > 0 ? Run.Config with { Threads = EffectiveThreads } : Run.Config,
                Runs.RunDirectory.Create(Path.GetDirectoryName(RunDirectory)!, Run.Name, overwrite: Action == TaskAction.Restart, options.Log),
                options with { GitDirectory = options.GitDirectory ?? ProjectRoot.Of(Run.BaseConfig) }),
            _ => throw new InvalidOperationException($"run {Run.Name} is finished; there is nothing to train"),
        };
    }
}

/// <summary>One run of a sweep, as a local child process or a Slurm array task carries it out: take the run's lock,
/// decide from the disk whether to start, resume or skip it, record the attempt, train, record the outcome.
/// Running a task twice is harmless: a finished run is skipped, an interrupted one continues.</summary>
public static class SweepTask
{
    /// <summary>The plan for <paramref name="run"/>. Throws when the folder holds another config's run.</summary>
    public static TaskPlan Plan(SweepFolder folder, SweepRun run, int threads)
    {
        var status = RunStatus.Inspect(folder, run, checkLock: false);
        string dir = folder.RunDirectory(run.Name);
        bool hasFiles = Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any();
        return status.State switch
        {
            RunState.Finished => new(TaskAction.Skip, run, dir, threads, $"finished at step {status.Step}"),
            RunState.Conflict => throw new InvalidOperationException($"run {run.Name}: {status.Detail}"),
            RunState.Unevaluated => new(TaskAction.Evaluate, run, dir, threads, $"evaluating: {status.Detail}"),
            _ when status.Step > 0 => new(TaskAction.Resume, run, dir, threads,
                $"resuming at step {status.Step} of {run.Config.Train.TotalIters}" + (status.State == RunState.Failed ? $" after a failure ({status.Detail})" : "")),
            _ when hasFiles => new(TaskAction.Restart, run, dir, threads, "starting over: the earlier attempt wrote no checkpoint (kept as a .replaced- folder)"),
            _ => new(TaskAction.Start, run, dir, threads, "starting"),
        };
    }

    /// <summary>Carries out the task for <paramref name="run"/> with <paramref name="train"/> (which returns an exit
    /// code: 0 done, 130/143 stopped by a signal, anything else failed) and returns that code (0 when skipped).
    /// Throws when another process holds the run.</summary>
    /// <param name="slurmTask">"JOB_INDEX" when called from a Slurm array task, for the record.</param>
    public static int Run(SweepFolder folder, SweepRun run, int threads, Func<TaskPlan, int> train, Action<string> log, string? slurmTask = null)
    {
        string lockFile = folder.LockFile(run.Name);
        using var held = IO.FileLock.TryAcquire(lockFile)
            ?? throw new InvalidOperationException($"run {run.Name} is being trained by {(IO.FileLock.Holder(lockFile) is { } h ? h.ToString() : "another process")} (it holds {lockFile})");
        var plan = Plan(folder, run, threads);
        log($"{run.Name}: {plan.Reason}");
        if (plan.Action == TaskAction.Skip) return 0;

        string recordFile = folder.TaskFile(run.Name);
        var record = new TaskRecord(TaskRecord.Running, null, Environment.MachineName, Environment.ProcessId, DateTime.UtcNow, SlurmTask: slurmTask);
        record.Write(recordFile);
        int code;
        try
        {
            code = train(plan);
        }
        catch
        {
            (record with { State = TaskRecord.Failed, ExitCode = 1, Ended = DateTime.UtcNow }).Write(recordFile);
            throw;
        }
        bool finished = RunStatus.Inspect(folder, run, checkLock: false).State == RunState.Finished;
        string state = code == 0 && finished ? TaskRecord.Finished : code is 0 or 130 or 143 ? TaskRecord.Stopped : TaskRecord.Failed;
        (record with { State = state, ExitCode = code, Ended = DateTime.UtcNow }).Write(recordFile);
        return code;
    }
}
