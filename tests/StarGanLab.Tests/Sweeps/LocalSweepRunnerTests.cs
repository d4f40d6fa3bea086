using System.Diagnostics;
using StarGanLab.Sweeps;
using StarGanLab.Training;
using Xunit;

namespace StarGanLab.Tests.Sweeps;

/// <summary>The local runner with stand-in children (bash), so its bookkeeping is tested without training.</summary>
public class LocalSweepRunnerTests
{
    /// <summary>A child that "trains" its run by writing the final checkpoint's three files, or fails with exit 3.</summary>
    static ProcessStartInfo FakeChild(SweepPlan plan, SweepRun run, int failIndex)
    {
        string ckpt = Path.Combine(plan.RunDirectory(run), "checkpoints");
        string files = string.Join(" ", new[] { TrainerCheckpoints.Nets, TrainerCheckpoints.NetsEma, TrainerCheckpoints.Optims }
            .Select(k => SlurmScript.Quote(TrainerCheckpoints.FileOf(ckpt, run.Config.Train.TotalIters, k))));
        string script = run.Index == failIndex
            ? "echo loading; echo 'error: something broke' >&2; exit 3"
            : $"mkdir -p {SlurmScript.Quote(ckpt)} && touch {files} && echo trained";
        return new ProcessStartInfo("bash", ["-c", script]);
    }

    [Fact]
    public void Finished_runs_are_skipped_a_failure_is_reported_with_its_log_and_the_others_still_run()
    {
        using var s = new SweepScratch(totalIters: 2);
        var plan = s.Plan("seeds: [1, 2, 3, 4]\n");
        SweepSummaryTests.Prepare(plan, plan.Runs[0], 2, cyc: 1);
        var messages = new List<string>();
        var runner = new LocalSweepRunner(plan, r => FakeChild(plan, r, failIndex: 1), m => { lock (messages) messages.Add(m); });

        var outcomes = runner.Run(parallel: 2);

        Assert.Equal(["skipped", "failed", "finished", "finished"], outcomes.Select(o => o.Result));
        Assert.Equal(3, outcomes[1].ExitCode);
        Assert.True(outcomes[1].IsFailure);
        Assert.Contains(messages, m => m.Contains("0001-tiny-seed2: FAILED (exit code 3)") && m.Contains("error: something broke"));
        Assert.Equal(RunState.Finished, RunStatus.Inspect(plan.Folder, plan.Runs[3]).State);
        string log = File.ReadAllText(plan.Folder.LogFile(plan.Runs[2].Name));
        Assert.StartsWith("=== ", log);
        Assert.Contains("trained", log);
        Assert.False(File.Exists(plan.Folder.LogFile(plan.Runs[0].Name)));   // no child for a finished run
    }

    [Fact]
    public void A_stopped_sweep_starts_no_further_runs()
    {
        using var s = new SweepScratch(totalIters: 2);
        var plan = s.Plan("seeds: [1, 2]\n");
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        var outcomes = new LocalSweepRunner(plan, r => FakeChild(plan, r, failIndex: -1), _ => { }).Run(parallel: 1, stop.Token);
        Assert.All(outcomes, o => Assert.Equal("stopped", o.Result));
        Assert.Equal(RunState.Pending, RunStatus.Inspect(plan.Folder, plan.Runs[0]).State);
    }
}
