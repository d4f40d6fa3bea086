using StarGanLab.Config;
using StarGanLab.Experiments.Hooks;
using StarGanLab.Native;
using StarGanLab.Runs;
using StarGanLab.Tracking;

namespace StarGanLab.Experiments;

/// <summary>The one way to run an experiment: the CLI's train verb, the sweep runner, F# scripts and notebooks all
/// come here, so each gets the same run folder, hooks (losses, samples, checkpoints, tracking, evaluation, report)
/// and end-of-run evaluation from the same config.</summary>
public static class Experiment
{
    /// <summary>Loads <paramref name="configPath"/> with <paramref name="overrides"/> (base: files are confined to the
    /// project the config is in) and trains a new run, as <c>stargan train CONFIG --set ...</c>.</summary>
    public static ExperimentResult Run(string configPath, IReadOnlyList<string>? overrides = null, ExperimentOptions? options = null)
    {
        overrides ??= [];
        var cfg = ConfigLoader.Load(configPath, overrides, new ConfigLoadOptions(AllowedRoot: ProjectRoot.Of(configPath)));
        options ??= new ExperimentOptions();
        return Run(cfg, options with
        {
            Overrides = overrides,
            GitDirectory = options.GitDirectory ?? ProjectRoot.Of(configPath),
            Source = options.Source ?? $"stargan train {configPath}" + string.Concat(overrides.Select(o => $" --set {o}")),
        });
    }

    /// <summary>Trains a new run of a resolved config in run.root / (run.name, or a name derived from the overrides).</summary>
    public static ExperimentResult Run(ExperimentConfig config, ExperimentOptions? options = null)
    {
        options ??= new ExperimentOptions();
        var device = TorchRuntime.ResolveDevice(config.Device);   // fail before anything is written
        if (config.Train.Precision == ComputePrecision.Bf16) Bf16Support.Require(device);
        Training.MemoryEstimate.Of(config).RequireFits(config);
        var run = RunDirectory.Create(config.Run.Root, RunName(config, options.Overrides), options.Overwrite, options.Log);
        return Start(config, run, options);
    }

    /// <summary>Trains a new run of <paramref name="config"/> in <paramref name="run"/> (a sweep places its runs itself).</summary>
    public static ExperimentResult Start(ExperimentConfig config, RunDirectory run, ExperimentOptions? options = null)
    {
        options ??= new ExperimentOptions();
        TrainingSession session;
        try
        {
            session = TrainingSession.Start(config, run, options.Log, options.Overrides);
        }
        catch
        {
            run.AbandonFailedStart(options.Log);   // a failed start must not block the next try
            throw;
        }
        using (session) return Train(session, options);
    }

    /// <summary>Continues the run in <paramref name="runDirectory"/> from its newest complete checkpoint, with its own
    /// config and <see cref="ExperimentOptions.Overrides"/> applied to it.</summary>
    public static ExperimentResult Resume(string runDirectory, ExperimentOptions? options = null)
    {
        options ??= new ExperimentOptions();
        using var session = TrainingSession.Resume(RunDirectory.Open(runDirectory), options.Overrides, options.Log);
        return Train(session, options);
    }

    /// <summary>The run's folder name: run.name when set, else the config's name and a short hash of the overrides.</summary>
    public static string RunName(ExperimentConfig config, IReadOnlyList<string> overrides) => RunNames.Short(config, overrides);

    /// <summary>The lab's hooks in the order they must run: each one after those whose files it reads.</summary>
    public static IReadOnlyList<ITrainHook> DefaultHooks(TrainConfig train, Tracker tracker, TrackingHook tracking) =>
    [
        new LossLogHook(train.PrintEvery),
        new SampleHook(train.SampleEvery, train.SampleOutsPerDomain),
        new CheckpointHook(train.SaveEvery, train.KeepCheckpoints),
        tracking,                            // after the hooks whose files it uploads at the end
        new EvalHook(tracker),               // every train.eval_every steps and at the end; before the report so it shows the numbers
        new ReportHook(train.SampleEvery),   // last: reads what the hooks above wrote; a failure here loses nothing of theirs
    ];

    static ExperimentResult Train(TrainingSession session, ExperimentOptions options)
    {
        using var tracker = TrackingFactory.FromEnvironment(session.Run.Path, options.Log, options.Environment);
        var t = session.Config.Train;
        string? experiment = options.TrackingExperiment ?? (options.Environment("MLFLOW_EXPERIMENT_NAME") is { Length: > 0 } e ? e : null);
        var tracking = new TrackingHook(tracker, t.PrintEvery, experiment, options.Source ?? "StarGanLab.Experiments.Experiment", options.GitDirectory);
        options.Log($"run {session.Run.Path}, step {session.Trainer.Step} of {t.TotalIters}");
        session.Train([.. DefaultHooks(t, tracker, tracking), .. options.Hooks], options.Stop);
        options.Log($"finished at step {session.Trainer.Step}: {session.Run.Path}");
        return new ExperimentResult(session.Run.Path, session.Trainer.Step, t.TotalIters);
    }
}
