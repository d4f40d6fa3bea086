using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Spectre.Console;
using StarGanLab.Sweeps;

namespace StarGanLab.Cli.Commands;

/// <summary>stargan sweep SPEC [--parallel N] [--dry-run] [--emit slurm] [--submit]
/// | sweep task SPEC --index I | sweep status SPEC [--wait] | sweep summary SPEC</summary>
static class SweepCommand
{
    public static Command Create()
    {
        var spec = new Argument<string>("spec") { Description = "sweep spec YAML (e.g. configs/sweeps/ablation.yaml)" };
        var parallel = new Option<int?>("--parallel") { Description = "runs at once: local child processes (default 1), or the Slurm array's %N throttle" };
        var dryRun = new Option<bool>("--dry-run") { Description = "list the runs and what would happen to each, then exit" };
        var emit = new Option<string?>("--emit") { Description = "write a scheduler script instead of running: slurm" };
        emit.AcceptOnlyFromAmong("slurm");
        var submit = new Option<bool>("--submit") { Description = "submit the Slurm script with sbatch (implies --emit slurm)" };
        var cmd = new Command("sweep", "Run a sweep (grid and one-at-a-time ablations over seeds), locally or as a Slurm job array; resumable")
            { spec, parallel, dryRun, emit, submit, TaskVerb(), StatusVerb(), SummaryVerb() };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var plan = Load(r.GetValue(spec)!);
            if (r.GetValue(dryRun)) return DryRun(plan);
            if (r.GetValue(emit) is not null || r.GetValue(submit))
                return EmitSlurm(plan, r.GetValue(parallel) ?? plan.Spec.Slurm.Parallel, r.GetValue(submit));
            return RunLocally(plan, r.GetValue(parallel) ?? 1);
        }));
        return cmd;
    }

    static Command TaskVerb()
    {
        var spec = new Argument<string>("spec") { Description = "sweep spec YAML" };
        var index = new Option<int>("--index") { Description = "the run's index in the sweep (a Slurm task passes $SLURM_ARRAY_TASK_ID)", Required = true };
        var threads = new Option<int>("--threads") { Description = "torch threads for the run (0: the config's)" };
        var expect = new Option<string?>("--expect") { Description = "the run name the caller expects at this index; refuses if the spec changed since" };
        var cmd = new Command("task", "Start, resume or skip one run of a sweep (what each local child and Slurm array task runs)")
            { spec, index, threads, expect };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var plan = Load(r.GetValue(spec)!);
            var run = plan.At(r.GetValue(index));
            if (r.GetValue(expect) is { } expected && expected != run.Name)
                throw new InvalidOperationException($"run {r.GetValue(index)} of {plan.Spec.SourceFile} is now {run.Name}, but the caller expected {expected}: " +
                                                    "the spec changed after the Slurm script was written; emit and submit it again");
            string? slurmTask = Environment.GetEnvironmentVariable("SLURM_ARRAY_JOB_ID") is { Length: > 0 } job
                ? $"{job}_{Environment.GetEnvironmentVariable("SLURM_ARRAY_TASK_ID")}" : null;
            // In this process, at the console as the train verb: the same experiment, progress output and signal handling.
            return SweepTask.Run(plan.Folder, run, r.GetValue(threads), p => TrainCommand.Drive(o => p.Train(o)), Log, slurmTask);
        }));
        return cmd;
    }

    static Command StatusVerb()
    {
        var spec = new Argument<string>("spec") { Description = "sweep spec YAML" };
        var wait = new Option<bool>("--wait") { Description = "poll until no run is queued or running (Slurm or local), then exit 0 if all finished, 1 if not" };
        var timeout = new Option<int>("--timeout") { Description = "with --wait: give up after this many seconds (exit 1); 0 waits for ever" };
        var cmd = new Command("status", "Per-run state of a sweep from its run folders, plus Slurm's view (squeue) of its latest job") { spec, wait, timeout };
        cmd.SetAction(r => CliErrors.Run(() => Status(Load(r.GetValue(spec)!), r.GetValue(wait), r.GetValue(timeout))));
        return cmd;
    }

    static Command SummaryVerb()
    {
        var spec = new Argument<string>("spec") { Description = "sweep spec YAML" };
        var cmd = new Command("summary", "(Re)write the sweep's summary.md, summary.csv and runs.csv from what its runs wrote, and print it") { spec };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            WriteSummary(Load(r.GetValue(spec)!));
            return 0;
        }));
        return cmd;
    }

    static SweepPlan Load(string specPath) => SweepPlan.Expand(SweepSpecLoader.Load(specPath));

    static void Log(string m) => AnsiConsole.MarkupLine("[grey]{0}[/]", Markup.Escape(m));

    static int DryRun(SweepPlan plan)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumns("#", "run", "overrides", "now");
        foreach (var run in plan.Runs)
        {
            var status = RunStatus.Inspect(plan.Folder, run);
            string now = status.State == RunState.Running ? "running elsewhere"
                : status.State == RunState.Conflict ? "conflict: " + status.Detail
                : SweepTask.Plan(plan.Folder, run, 0).Reason;
            table.AddRow(run.Index.ToString(), Markup.Escape(run.Name), Markup.Escape(string.Join(" ", run.AxisOverrides.Concat(run.Seed is { } s ? [$"seed={s}"] : []))), Markup.Escape(now));
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{plan.Runs.Count} runs under [bold]{Markup.Escape(plan.Folder.Root)}[/]");
        return 0;
    }

    static int RunLocally(SweepPlan plan, int parallel)
    {
        if (parallel < 1) throw new ArgumentException($"--parallel must be at least 1, got {parallel}");
        // Each child gets its share of the cores for torch's thread pool; more threads than cores only contend.
        int threads = Math.Max(1, Environment.ProcessorCount / parallel);
        var cli = SelfProcess.Command();
        string specFile = plan.Spec.SourceFile!;
        ProcessStartInfo Child(SweepRun run)
        {
            var psi = new ProcessStartInfo(cli[0]) { WorkingDirectory = Environment.CurrentDirectory };
            foreach (var a in cli.Skip(1).Concat(["sweep", "task", specFile, "--index", run.Index.ToString(), "--threads", threads.ToString(), "--expect", run.Name]))
                psi.ArgumentList.Add(a);
            return psi;
        }
        var runner = new LocalSweepRunner(plan, Child, Log);
        using var stop = new CancellationTokenSource();
        PosixSignal? signal = null;
        void OnSignal(PosixSignalContext ctx)
        {
            ctx.Cancel = true;
            signal ??= ctx.Signal;
            AnsiConsole.MarkupLine("[yellow]stopping: no further runs start; the running ones checkpoint and exit[/]");
            stop.Cancel();
            // Ctrl-C reaches the children from the terminal already; a SIGTERM sent to this process alone must be passed on.
            if (ctx.Signal == PosixSignal.SIGTERM) runner.Terminate();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        var outcomes = runner.Run(parallel, stop.Token);
        WriteSummary(plan);
        var counts = outcomes.GroupBy(o => o.Result).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}");
        AnsiConsole.MarkupLine($"sweep {Markup.Escape(plan.Spec.Name)}: {Markup.Escape(string.Join(", ", counts))}");
        foreach (var failed in outcomes.Where(o => o.IsFailure))
            AnsiConsole.MarkupLine("[red]failed:[/] {0}: {1}{2}", Markup.Escape(failed.Run.Name), Markup.Escape(failed.Detail),
                failed.LogFile is { } log ? Markup.Escape($" (log: {log})") : "");
        if (signal is { } s) return s == PosixSignal.SIGTERM ? 143 : 130;
        return outcomes.Any(o => o.IsFailure || o.Result == "stopped") ? 1 : 0;
    }

    static int EmitSlurm(SweepPlan plan, int throttle, bool submit)
    {
        string script = SlurmScript.Render(plan, SelfProcess.Command(), Environment.CurrentDirectory, throttle);
        Directory.CreateDirectory(plan.Folder.SlurmLogs);
        IO.AtomicFile.WriteAllText(plan.Folder.SlurmScript, script);
        if (!OperatingSystem.IsWindows())   // executable, as scripts are; sbatch itself does not need it
            File.SetUnixFileMode(plan.Folder.SlurmScript, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                                          | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(plan.Folder.SlurmScript)}[/]: {plan.Runs.Count} array tasks");
        if (!submit)
        {
            AnsiConsole.MarkupLine($"submit it with: sbatch {Markup.Escape(plan.Folder.SlurmScript)}   (or add --submit)");
            return 0;
        }
        string job = SlurmJobs.Submit(plan.Folder, plan.Folder.SlurmScript);
        AnsiConsole.MarkupLine($"submitted job [bold]{job}[/]; follow it with: stargan sweep status {Markup.Escape(plan.Spec.SourceFile!)} --wait");
        return 0;
    }

    static int Status(SweepPlan plan, bool wait, int timeoutSeconds)
    {
        var watch = Stopwatch.StartNew();
        string? job = SlurmJobs.LatestJob(plan.Folder);
        string last = "";
        while (true)
        {
            var runs = plan.Runs.Select(r => RunStatus.Inspect(plan.Folder, r)).ToList();
            var slurm = job is null ? null : SlurmJobs.Query(job);
            bool active = runs.Any(r => r.State == RunState.Running) || slurm is not null && slurm.Values.Any(t => t.IsActive);
            string counts = Counts(runs, slurm);
            if (!wait || !active)
            {
                PrintStatus(plan, runs, slurm, job);
                AnsiConsole.WriteLine(counts);
                return !wait || runs.All(r => r.State == RunState.Finished) ? 0 : 1;
            }
            if (timeoutSeconds > 0 && watch.Elapsed.TotalSeconds > timeoutSeconds)
            {
                PrintStatus(plan, runs, slurm, job);
                AnsiConsole.MarkupLine("[red]error:[/] {0}", Markup.Escape($"sweep {plan.Spec.Name} still has queued or running runs after {timeoutSeconds} s ({counts})"));
                return 1;
            }
            if (counts != last) AnsiConsole.WriteLine($"{watch.Elapsed.TotalSeconds,6:F0} s  {counts}");
            last = counts;
            Thread.Sleep(1000);
        }
    }

    static string Counts(IReadOnlyList<RunStatus> runs, IReadOnlyDictionary<int, SlurmTaskState>? slurm)
    {
        string folders = string.Join(", ", runs.GroupBy(r => r.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"));
        string queue = slurm is null ? "" : "; slurm: " + (slurm.Count == 0 ? "nothing queued"
            : string.Join(", ", slurm.Values.GroupBy(t => t.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToLowerInvariant()}")));
        return $"{runs.Count} runs: {folders}{queue}";
    }

    static void PrintStatus(SweepPlan plan, IReadOnlyList<RunStatus> runs, IReadOnlyDictionary<int, SlurmTaskState>? slurm, string? job)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumns("#", "run", "state", "step", "slurm", "detail");
        foreach (var r in runs)
        {
            string queue = slurm?.GetValueOrDefault(r.Run.Index) is { } t ? $"{job}_{t.Index} {t.State}" + (t.Reason is "None" or "" ? "" : $" ({t.Reason})") : "";
            table.AddRow(r.Run.Index.ToString(), Markup.Escape(r.Run.Name), r.State.ToString().ToLowerInvariant(), $"{r.Step}/{r.TotalIters}",
                Markup.Escape(queue), Markup.Escape(r.Detail));
        }
        AnsiConsole.Write(table);
    }

    static void WriteSummary(SweepPlan plan)
    {
        var summary = SweepSummary.Build(plan);
        summary.Write();
        Console.Write(summary.Markdown());
        AnsiConsole.MarkupLine($"summary: [bold]{Markup.Escape(plan.Folder.SummaryMarkdown)}[/], {Markup.Escape(plan.Folder.SummaryCsv)}, {Markup.Escape(plan.Folder.RunsCsv)}");
    }
}
