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
        var data = DataOption.Create();
        var initFrom = new Option<string?>("--init-from") { Description = "fine-tune: start from an official .ckpt, one of our checkpoints or a run folder (same as --set train.init_from=...; docs/finetuning.md)" };
        var cmd = new Command("train", "Train StarGAN v2 from a YAML experiment config") { config, set, resume, overwrite, dryRun, device, data, initFrom };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            string[] overrides = [.. r.GetValue(set) ?? [], .. r.GetValue(device) is { } d ? new[] { $"device={d}" } : [], .. DataOption.Overrides(r.GetValue(data)),
                                  .. r.GetValue(initFrom) is { } i ? new[] { $"train.init_from={i}" } : []];
            return Run(r.GetValue(config), overrides, r.GetValue(resume), r.GetValue(overwrite), r.GetValue(dryRun));
        }));
        return cmd;
    }

    static int Run(string? configPath, string[] overrides, string? resumeDir, bool overwrite, bool dryRun)
    {
        if (resumeDir != null)
        {
            if (configPath != null) throw new ArgumentException("give either a config file or --resume RUN_DIR, not both");
            return Drive(o => Experiment.Resume(resumeDir, o with { Overrides = overrides, Source = $"stargan train --resume {resumeDir}" }));
        }
        if (configPath == null) throw new ArgumentException("a config file is required (or --resume RUN_DIR)");
        if (dryRun)
        {
            var cfg = ConfigLoader.Load(configPath, overrides, new ConfigLoadOptions(AllowedRoot: ProjectRoot.Of(configPath)));
            Console.Write(ConfigWriter.ToYaml(cfg));
            Console.WriteLine($"# run: {Path.Combine(cfg.Run.Root, Experiment.RunName(cfg, overrides))}");
            var memory = MemoryEstimate.Of(cfg);
            Console.WriteLine($"# memory on the CPU: about {MemoryEstimate.Show(memory.Total)} ({memory.Breakdown()}); this machine has {MemoryEstimate.Show(MemoryEstimate.Available)}");
            return 0;
        }
        return Drive(o => Experiment.Run(configPath, overrides, o with { Overwrite = overwrite }));
    }

    /// <summary>Runs <paramref name="experiment"/> at the console: grey log lines, a progress bar on a terminal (plain
    /// lines otherwise), and SIGINT/SIGTERM to stop after the current step. Returns the process exit code: 0, or
    /// 128 + the signal when stopped by one. The sweep's task verb drives its runs through here too.</summary>
    public static int Drive(Func<ExperimentOptions, ExperimentResult> experiment)
    {
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
        var options = new ExperimentOptions { Log = m => AnsiConsole.MarkupLine("[grey]{0}[/]", Markup.Escape(m)), Stop = stop.Token };

        if (AnsiConsole.Profile.Capabilities.Interactive)
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx => experiment(options with { Hooks = [new ProgressHook(ctx)] }));
        else
            experiment(options with { Hooks = [new ConsoleLogHook()] });
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

/// <summary>Drives the Spectre progress bar: value = step, description = the headline losses. The bar is made when
/// training starts, when the run's length and resumed step are known.</summary>
sealed class ProgressHook(ProgressContext progress) : ITrainHook
{
    ProgressTask? task;

    public void BeforeTrain(TrainContext c)
    {
        task = progress.AddTask("training", maxValue: c.TotalIters);
        task.Value = c.Step;
    }

    public void AfterStep(TrainContext c, StepLosses l)
    {
        if (task is null) return;
        task.Value = c.Step;
        task.Description = $"D {l.DLatent.Total:F3}/{l.DRef.Total:F3} G {l.GLatent.Total:F3}/{l.GRef.Total:F3} cyc {l.GRef.Cyc:F3} {c.SecondsPerIter:F2}s/it";
    }
}
