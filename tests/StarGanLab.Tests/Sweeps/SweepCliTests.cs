using StarGanLab.Sweeps;
using StarGanLab.Tests.Cli;
using Xunit;

namespace StarGanLab.Tests.Sweeps;

/// <summary>stargan sweep as a user runs it: child processes, skipping, failures, status, summary.</summary>
public class SweepCliTests
{
    /// <summary>About 10 s on two shared cores (three stargan processes, one of which trains a 16 px run for two
    /// steps): the one end-to-end test of sweep -> child `sweep task` -> the train verb -> summary -> status.</summary>
    [Fact]
    public void A_sweep_skips_the_finished_run_trains_the_other_in_a_child_and_writes_the_summary()
    {
        using var s = new SweepScratch(totalIters: 2);
        string spec = s.Spec("one_at_a_time:\n  loss.lambda_cyc: [0]\n");
        var plan = SweepPlan.Expand(SweepSpecLoader.Load(spec));
        SweepSummaryTests.Prepare(plan, plan.Runs[0], 2, cyc: 0.5);   // finished before

        var (exit, output) = StarganProcess.Run(s.Dir, "sweep", spec);
        Assert.True(exit == 0, output);
        Assert.Contains("0000-tiny: skipped, finished at step 2", output);
        Assert.Contains("0001-tiny-lambda_cyc=0: finished in", output);
        Assert.Contains("1 finished, 1 skipped", output);
        string log = File.ReadAllText(plan.Folder.LogFile(plan.Runs[1].Name));
        Assert.Contains("0001-tiny-lambda_cyc=0: starting", log);   // the child's own words: sweep task, then the train verb
        Assert.Contains("finished at step 2", log);
        var record = TaskRecord.Read(plan.Folder.TaskFile(plan.Runs[1].Name))!;
        Assert.Equal((TaskRecord.Finished, 0), (record.State, record.ExitCode));
        var csv = File.ReadAllLines(plan.Folder.SummaryCsv);
        Assert.Equal(3, csv.Length);
        Assert.StartsWith("tiny-lambda_cyc=0,loss.lambda_cyc=0,1,1,", csv[2]);

        var (statusExit, status) = StarganProcess.Run(s.Dir, "sweep", "status", spec);
        Assert.True(statusExit == 0, status);
        Assert.Contains("2 runs: 2 finished", status);
    }

    [Fact]
    public void A_task_refuses_a_run_whose_name_changed_since_the_script_was_written()
    {
        using var s = new SweepScratch();
        string spec = s.Spec("seeds: [1, 2]\n");
        var (exit, output) = StarganProcess.Run(s.Dir, "sweep", "task", spec, "--index", "1", "--expect", "0001-tiny-seed7");
        Assert.Equal(2, exit);
        Assert.Contains("is now 0001-tiny-seed2, but the caller expected 0001-tiny-seed7", output);
    }
}
