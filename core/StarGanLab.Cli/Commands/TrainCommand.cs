using System.CommandLine;
using System.Runtime.InteropServices;
using Spectre.Console;
using StarGanLab.Config;
using StarGanLab.Reports;
using StarGanLab.Runs;
using StarGanLab.Tracking;
using StarGanLab.Training;
using StarGanLab.Experiments.Hooks;
using StarGanLab.Experiments;

namespace StarGanLab.Cli.Commands;

/// <summary>stargan train CONFIG [--set k=v]... | stargan train --resume RUN_DIR</summary>
static class TrainCommand
{
    public static Command Create()
    {
        var config = new Argument<string?>("config") { Description = "experiment YAML (e.g. configs/quickstart.yaml)", Arity = ArgumentArity.ZeroOrOne };
        var set = new Option<string[]>("--set") { Description = "override a config key, e.g. --set train.batch_size=4 (repeatable)" };
        var resume = new Option<string?>("--resume") { Description = "continue the run in this directory from its newest checkpoint" };
        var overwrite = new Option<bool>("--overwrite") { Description = "start over in an existing run directory (the old one is kept as a backup)" };
        var dryRun = new Option<bool>("--dry-run") { Description = "print the resolved config and run name, then exit" };
        var device = new Option<string?>("--device") { Description = "auto | cpu | cuda | cuda:N (same as --set device=...)" };
        var cmd = new Command("train", "Train StarGAN v2 from a YAML experiment config") { config, set, resume, overwrite, dryRun, device };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            string[] overrides = [.. r.GetValue(set) ?? [], .. r.GetValue(device) is { } d ? new[] { $"device={d}" } : []];
            return Run(r.GetValue(config), overrides, r.GetValue(resume), r.GetValue(overwrite), r.GetValue(dryRun));
        }));
        return cmd;
    }

    static int Run(string? configPath, string[] overrides, string? resumeDir, bool overwrite, bool dryRun)
    {
        void Log(string m) => AnsiConsole.MarkupLine("[grey]{0}[/]", Markup.Escape(m));
        TrainingSession session;
        string source;
        if (resumeDir != null)
        {
            if (configPath != null) throw new ArgumentException("give either a config file or --resume RUN_DIR, not both");
            session = TrainingSession.Resume(RunDirectory.Open(resumeDir), overrides, Log);
            source = $"stargan train --resume {resumeDir}";
        }
        else
        {
            if (configPath == null) throw new ArgumentException("a config file is required (or --resume RUN_DIR)");
            var cfg = ConfigLoader.Load(configPath, overrides, new ConfigLoadOptions(AllowedRoot: ProjectRoot.Of(configPath)));
            string name = string.IsNullOrEmpty(cfg.Run.Name) ? RunNames.Derive(cfg, overrides) : cfg.Run.Name;
            if (dryRun)
            {
                Console.Write(ConfigWriter.ToYaml(cfg));
                Console.WriteLine($"# run: {Path.Combine(cfg.Run.Root, name)}");
                return 0;
            }
            StarGanLab.Native.TorchRuntime.ResolveDevice(cfg.Device);   // fail before anything is written
            session = TrainingSession.Start(cfg, RunDirectory.Create(cfg.Run.Root, name, overwrite, Log), Log);
            source = $"stargan train {configPath}" + string.Concat(overrides.Select(o => $" --set {o}"));
        }
        using (session)
        using (var tracker = TrackingFactory.FromEnvironment(session.Run.Path, Log))
            return Train(session, tracker, new TrackingHook(tracker, session.Config.Train.PrintEvery,
                experiment: Environment.GetEnvironmentVariable("MLFLOW_EXPERIMENT_NAME") is { Length: > 0 } e ? e : null,
                source: source, gitDirectory: configPath == null ? null : ProjectRoot.Of(configPath)));
    }

    static int Train(TrainingSession session, Tracker tracker, TrackingHook tracking)
    {
        var t = session.Config.Train;
        var hooks = new List<ITrainHook>
        {
            new LossLogHook(t.PrintEvery),
            new SampleHook(t.SampleEvery),
            new CheckpointHook(t.SaveEvery, t.KeepCheckpoints),
            tracking,   // after the hooks whose files it uploads at the end
            new EvalHook(tracker),   // every train.eval_every steps; before the report so it shows the numbers
            new ReportHook(t.SampleEvery),   // last: reads what the hooks above wrote; a failure here loses nothing of theirs
        };
        using var stop = new CancellationTokenSource();
        int signals = 0;
        PosixSignal? first = null;
        void OnSignal(PosixSignalContext ctx)
        {
            ctx.Cancel = true;   // we exit ourselves once the current step and its checkpoint are done
            // A second signal quits at once: checkpoints are written to a temp file and renamed, so whatever is on disk
            // stays loadable, and a half-written step is ignored (and its temp files removed) by --resume.
            if (Interlocked.Increment(ref signals) > 1) QuitNow(ExitCode(ctx.Signal));
            first = ctx.Signal;
            AnsiConsole.MarkupLine("[yellow]stopping after this step (checkpoint follows); signal again to quit at once[/]");
            stop.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        AnsiConsole.MarkupLine($"run [bold]{Markup.Escape(session.Run.Path)}[/], step {session.Trainer.Step} of {t.TotalIters}");

        if (AnsiConsole.Profile.Capabilities.Interactive)
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var task = ctx.AddTask("training", maxValue: t.TotalIters);
                    task.Value = session.Trainer.Step;
                    hooks.Add(new ProgressHook(task));
                    session.Train(hooks, stop.Token);
                });
        else
        {
            hooks.Add(new ConsoleLogHook(t.PrintEvery));
            session.Train(hooks, stop.Token);
        }
        AnsiConsole.MarkupLine($"finished at step {session.Trainer.Step}: {Markup.Escape(session.Run.Path)}");
        return first is { } s ? ExitCode(s) : 0;
    }

    /// <summary>Ends the process without running finalizers or native atexit handlers: Environment.Exit from a signal
    /// handler while libtorch's threads are mid-step can crash the shutdown (seen as SIGSEGV, exit 139).</summary>
    static void QuitNow(int code)
    {
        Console.Out.Flush();
        if (OperatingSystem.IsWindows()) Environment.Exit(code);
        else ExitImmediately(code);
    }

    [DllImport("libc", EntryPoint = "_exit")]
    static extern void ExitImmediately(int status);

    /// <summary>The shell's convention, 128 + signal number: 130 for SIGINT (Ctrl-C), 143 for SIGTERM.</summary>
    static int ExitCode(PosixSignal signal) => signal == PosixSignal.SIGTERM ? 143 : 130;
}

/// <summary>Drives the Spectre progress bar: value = step, description = the headline losses.</summary>
sealed class ProgressHook(ProgressTask task) : ITrainHook
{
    public void AfterStep(TrainContext c, StepLosses l)
    {
        task.Value = c.Step;
        task.Description = $"D {l.DLatent.Total:F3}/{l.DRef.Total:F3} G {l.GLatent.Total:F3}/{l.GRef.Total:F3} cyc {l.GRef.Cyc:F3} {c.SecondsPerIter:F2}s/it";
    }
}

/// <summary>Plain log lines for non-interactive output (CI, nohup), every print_every steps.</summary>
sealed class ConsoleLogHook(int every) : ITrainHook
{
    public void AfterStep(TrainContext c, StepLosses l)
    {
        if (c.Step % every != 0 && c.Step != c.TotalIters) return;
        double eta = c.SecondsPerIter * (c.TotalIters - c.Step);
        Console.WriteLine($"[{c.Step}/{c.TotalIters}] {c.SecondsPerIter:F3} s/it, eta {TimeSpan.FromSeconds(eta):hh\\:mm\\:ss} | " +
                          string.Join(" ", l.Flatten().Select(kv => $"{kv.Key}: {kv.Value:F4}")));
    }
}
