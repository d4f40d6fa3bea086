using System.Collections.Concurrent;
using System.Diagnostics;
using StarGanLab.Config;
using StarGanLab.Runs;
using StarGanLab.Tests.Training;
using StarGanLab.Training;
using StarGanLab.Experiments.Hooks;
using Xunit;
using StarGanLab.Experiments;

namespace StarGanLab.Tests.Reliability;

/// <summary>The stargan command as a child process that is signalled or killed mid-run; what it leaves on disk must resume.</summary>
public class ChildProcessTests : TorchTest
{
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    const int SigInt = 2, SigKill = 9, SigTerm = 15;

    /// <summary>A tiny training run (16 px, synthetic data) as its own process, its output collected line by line.</summary>
    sealed class Child : IDisposable
    {
        public Process Process { get; }
        public ConcurrentQueue<string> Lines { get; } = new();
        public string Root { get; }
        public string RunDir => Path.Combine(Root, "runs", "child");
        public string CheckpointDir => Path.Combine(RunDir, "checkpoints");

        /// <param name="asScriptJob">Start it as `stargan train ... &amp;` inside a bash script: a non-interactive shell
        /// starts background jobs with SIGINT ignored.</param>
        public Child(int saveEvery, params string[] extra) : this(saveEvery, asScriptJob: false, extra) { }

        public Child(int saveEvery, bool asScriptJob, params string[] extra)
        {
            Root = TinyRuns.TempRoot();
            // one torch thread: the suite runs test classes side by side on few cores
            var cfg = TinyRuns.Config(Path.Combine(Root, "runs"), totalIters: 100_000, saveEvery: saveEvery) with
            {
                Threads = 1, Run = new RunConfig(Root: Path.Combine(Root, "runs"), Name: "child"),
            };
            string yaml = Path.Combine(Root, "tiny.yaml");
            File.WriteAllText(yaml, ConfigWriter.ToYaml(cfg));
            var psi = new ProcessStartInfo(asScriptJob ? "bash" : "dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Root };
            psi.Environment["MLFLOW_TRACKING_URI"] = Path.Combine(Root, "mlruns");
            // the script's exit status is the job's (wait $!); signals go to the job, whose pid the script prints first
            string[] script = asScriptJob ? ["-c", "dotnet \"$@\" & echo \"job pid $!\"; wait $!", "bash"] : [];
            foreach (var a in (string[])[.. script, Path.Combine(AppContext.BaseDirectory, "stargan.dll"), "train", yaml, .. extra]) psi.ArgumentList.Add(a);
            Process = Process.Start(psi)!;
            Process.OutputDataReceived += (_, e) => { if (e.Data != null) Lines.Enqueue(e.Data); };
            Process.ErrorDataReceived += (_, e) => { if (e.Data != null) Lines.Enqueue(e.Data); };
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public string Output => string.Join("\n", Lines);

        public void WaitFor(Func<bool> condition, string what)
        {
            var watch = Stopwatch.StartNew();
            while (!condition())
            {
                if (Process.HasExited) Assert.Fail($"the child exited ({Process.ExitCode}) before {what}:\n{Output}");
                Assert.True(watch.Elapsed < Patience, $"timed out waiting for {what}:\n{Output}");
                Thread.Sleep(5);
            }
        }

        public void WaitForStep(long step) => WaitFor(() => Lines.Any(l => l.StartsWith($"[{step}/")), $"step {step}");

        /// <summary>The training process: the script's background job, or the child itself.</summary>
        int TrainingPid => Lines.FirstOrDefault(l => l.StartsWith("job pid ", StringComparison.Ordinal)) is { } l
            ? int.Parse(l["job pid ".Length..], System.Globalization.CultureInfo.InvariantCulture) : Process.Id;

        public void Signal(int sig)
        {
            var (code, output) = DiskFullTests.Sh("kill", $"-{sig}", TrainingPid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.True(code == 0, output);
        }

        public int Exit()
        {
            Assert.True(Process.WaitForExit(Patience), $"the child did not exit:\n{Output}");
            Process.WaitForExit();   // drains the output handlers
            return Process.ExitCode;
        }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }

    static long LastLoggedStep(string runDir) =>
        File.ReadAllLines(Path.Combine(runDir, "losses.jsonl")).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64()).Last();

    /// <summary>Resumes in this process for one more step: proves what the child left is a loadable run.</summary>
    /// <remarks>At libtorch's default thread count, not the child's 1: the count is process-wide, and other test
    /// classes that compare runs bit for bit are training beside this one.</remarks>
    static long ResumeOneStep(string runDir, long from)
    {
        using var s = TrainingSession.Resume(RunDirectory.Open(runDir), [$"train.total_iters={from + 1}", "threads=0"], _ => { });
        Assert.Equal(from, s.Trainer.Step);
        s.Train([new LossLogHook(1), new CheckpointHook(1, 0)]);
        return s.Trainer.Step;
    }

    [Theory]
    [InlineData(SigInt, 130)]
    [InlineData(SigTerm, 143)]
    [InlineData(SigInt, 130, true)]    // issue 17, case 12: SIGINT was ignored in a script's background job
    [InlineData(SigTerm, 143, true)]
    public void A_signal_finishes_the_step_writes_a_checkpoint_flushes_tracking_and_exits_with_128_plus_the_signal(int sig, int code, bool asScriptJob = false)
    {
        using var child = new Child(saveEvery: 1000, asScriptJob);
        child.WaitForStep(2);
        child.Signal(sig);
        Assert.Equal(code, child.Exit());

        Assert.Contains("stopping after this step", child.Output);
        long step = LastLoggedStep(child.RunDir);
        Assert.True(step >= 2);
        Assert.Equal([step], TrainerCheckpoints.CompleteSteps(child.CheckpointDir));   // saved at the stop, not at save_every
        string metric = Directory.GetFiles(Path.Combine(child.Root, "mlruns"), "latent_real", SearchOption.AllDirectories)
            .Single(f => f.Contains($"{Path.DirectorySeparatorChar}D{Path.DirectorySeparatorChar}"));
        Assert.Equal(step, File.ReadAllLines(metric).Length);   // every step reached the tracker before exit
        string meta = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(metric)!)!)!, "meta.yaml");
        Assert.Contains("status: 5", File.ReadAllText(meta));   // KILLED
        Assert.Equal(step + 1, ResumeOneStep(child.RunDir, step));
    }

    [Fact]
    public void A_second_SIGINT_exits_at_once_and_leaves_a_resumable_run()
    {
        using var child = new Child(saveEvery: 1);
        child.WaitFor(() => TrainerCheckpoints.CompleteSteps(child.CheckpointDir).Count >= 2, "two checkpoints");
        child.Signal(SigInt);
        child.Signal(SigInt);
        Assert.Equal(130, child.Exit());
        long newest = TrainerCheckpoints.CompleteSteps(child.CheckpointDir)[0];
        Assert.Equal(newest + 1, ResumeOneStep(child.RunDir, newest));
    }

    [Fact]
    public void Kill_9_while_checkpoints_are_written_leaves_a_resumable_run()
    {
        using var child = new Child(saveEvery: 1);
        child.WaitFor(() => File.Exists(TrainerCheckpoints.FileOf(child.CheckpointDir, 1, TrainerCheckpoints.Optims)), "the first complete checkpoint");
        // every step saves, so a temp file is about to appear: kill the moment one is seen, i.e. mid-write
        child.WaitFor(() => Directory.EnumerateFiles(child.CheckpointDir, "*.tmp").Any(), "a checkpoint being written");
        child.Signal(SigKill);
        Assert.Equal(128 + SigKill, child.Exit());

        long newest = TrainerCheckpoints.CompleteSteps(child.CheckpointDir)[0];
        Assert.Equal(newest + 1, ResumeOneStep(child.RunDir, newest));
        Assert.Empty(Directory.EnumerateFiles(child.CheckpointDir, "*.tmp"));
    }

    [Fact]
    public void A_second_process_on_a_run_is_refused_naming_the_holder_and_a_killed_holder_leaves_no_stale_lock()
    {
        using var child = new Child(saveEvery: 1);
        child.WaitFor(() => TrainerCheckpoints.CompleteSteps(child.CheckpointDir).Count >= 1, "the first checkpoint");
        string config = File.ReadAllText(Path.Combine(child.RunDir, RunDirectory.ConfigFileName));

        var (exit, output) = Cli.StarganProcess.Run(child.Root, "train", "--resume", child.RunDir, "--set", "train.total_iters=200000");
        Assert.Equal(2, exit);
        Assert.Contains($"is being trained by process {child.Process.Id} on {Environment.MachineName}", output.Replace("\n", ""));
        Assert.DoesNotContain("   at ", output);
        Assert.Equal(config, File.ReadAllText(Path.Combine(child.RunDir, RunDirectory.ConfigFileName)));

        child.Signal(SigKill);
        Assert.Equal(128 + SigKill, child.Exit());
        long newest = TrainerCheckpoints.CompleteSteps(child.CheckpointDir)[0];
        Assert.Equal(newest + 1, ResumeOneStep(child.RunDir, newest));
    }

    [Fact]
    public void A_run_name_that_climbs_out_of_the_run_root_is_refused()
    {
        string root = TinyRuns.TempRoot();
        string yaml = Path.Combine(root, "tiny.yaml");
        File.WriteAllText(yaml, ConfigWriter.ToYaml(TinyRuns.Config(Path.Combine(root, "a", "b", "runs"), totalIters: 1)));
        var (exit, output) = Cli.StarganProcess.Run(root, "train", yaml, "--set", "run.name=../../x");
        Assert.Equal(2, exit);
        Assert.Contains("run.name=../../x", output);
        Assert.Contains("not a safe run directory name", output);
        Assert.DoesNotContain("   at ", output);
        Assert.False(Directory.Exists(Path.Combine(root, "a", "x")));
    }
}
