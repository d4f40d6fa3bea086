using StarGanLab.Config;
using StarGanLab.Runs;
using StarGanLab.Sweeps;
using StarGanLab.Training;
using StarGanLab.Experiments;
using Xunit;

namespace StarGanLab.Tests.Sweeps;

/// <summary>Resumability: what a task does with what it finds on disk (tiny runs, trained in this process).</summary>
[Collection(Native.TorchThreadsCollection.Name)]   // trains here with the tasks' 1 thread
public class SweepTaskTests : TorchTest
{
    static readonly Action<string> Quiet = _ => { };

    static int TrainHere(TaskPlan plan) => plan.Train(new ExperimentOptions { Log = Quiet }).Finished ? 0 : 1;

    static int MustNotTrain(TaskPlan plan) => throw new Xunit.Sdk.XunitException($"{plan.Run.Name} was trained again ({plan.Action})");

    [Fact]
    public void A_finished_run_is_skipped_and_an_interrupted_one_resumes_where_it_stopped()
    {
        using var s = new SweepScratch(totalIters: 2);
        var full = s.Plan("seeds: [1, 2]\n");
        // run 1's first attempt ends after one step: the same spec with train.total_iters 1 (set: keys stay out of
        // names, so it is the same run folder)
        var shortened = s.Plan("set: {train.total_iters: 1}\nseeds: [1, 2]\n");
        Assert.Equal(0, SweepTask.Run(full.Folder, full.Runs[0], 1, TrainHere, Quiet));
        Assert.Equal(0, SweepTask.Run(shortened.Folder, shortened.Runs[1], 1, TrainHere, Quiet));

        var finished = RunStatus.Inspect(full.Folder, full.Runs[0]);
        Assert.Equal((RunState.Finished, 2L), (finished.State, finished.Step));
        var interrupted = RunStatus.Inspect(full.Folder, full.Runs[1]);
        Assert.Equal((RunState.Interrupted, 1L), (interrupted.State, interrupted.Step));

        string ckpt0 = TrainerCheckpoints.FileOf(Path.Combine(full.RunDirectory(full.Runs[0]), "checkpoints"), 2, TrainerCheckpoints.Optims);
        var written = File.GetLastWriteTimeUtc(ckpt0);
        Assert.Equal(TaskAction.Skip, SweepTask.Plan(full.Folder, full.Runs[0], 1).Action);
        Assert.Equal(0, SweepTask.Run(full.Folder, full.Runs[0], 1, MustNotTrain, Quiet));
        Assert.Equal(written, File.GetLastWriteTimeUtc(ckpt0));

        var plan = SweepTask.Plan(full.Folder, full.Runs[1], 1);
        Assert.Equal(TaskAction.Resume, plan.Action);
        Assert.Equal(["--resume", full.RunDirectory(full.Runs[1]), "--set", "train.total_iters=2", "--set", "threads=1"], plan.TrainArguments);
        Assert.Equal(0, SweepTask.Run(full.Folder, full.Runs[1], 1, TrainHere, Quiet));
        var dir = full.RunDirectory(full.Runs[1]);
        Assert.Equal([2L, 1L], TrainerCheckpoints.CompleteSteps(Path.Combine(dir, "checkpoints")));
        Assert.Equal(2, File.ReadAllLines(Path.Combine(dir, "losses.jsonl")).Length);   // step 1 from the first attempt, step 2 resumed
        Assert.Equal(RunState.Finished, RunStatus.Inspect(full.Folder, full.Runs[1]).State);
        Assert.Equal(TaskRecord.Finished, TaskRecord.Read(full.Folder.TaskFile(full.Runs[1].Name))!.State);
    }

    [Fact]
    public void A_run_stopped_during_its_end_of_run_evaluation_is_evaluated_again_without_training()
    {
        using var s = new SweepScratch(totalIters: 1);
        var plan = s.Plan("set: {metrics.eval_at_end: true, metrics.backbone: none, metrics.ground_truth: true}\nseeds: [1]\n");
        var run = plan.Runs[0];
        Assert.Equal(0, SweepTask.Run(plan.Folder, run, 1, TrainHere, Quiet));
        string dir = plan.RunDirectory(run), metrics = Path.Combine(dir, "metrics.jsonl");
        string evaluated = File.ReadAllText(metrics);
        Assert.True(StarGanLab.Metrics.EvalWriter.HasStep(metrics, 1));
        Assert.Equal(RunState.Finished, RunStatus.Inspect(plan.Folder, run).State);

        // Stopped while it evaluated: the checkpoint at the last step is complete, the metrics line (written last) is not there.
        File.Delete(metrics);
        var status = RunStatus.Inspect(plan.Folder, run);
        Assert.Equal((RunState.Unevaluated, 1L), (status.State, status.Step));
        var task = SweepTask.Plan(plan.Folder, run, 1);
        Assert.Equal(TaskAction.Evaluate, task.Action);
        Assert.Empty(task.TrainArguments);

        string ckpt = TrainerCheckpoints.FileOf(Path.Combine(dir, "checkpoints"), 1, TrainerCheckpoints.Optims);
        var written = File.GetLastWriteTimeUtc(ckpt);
        string losses = File.ReadAllText(Path.Combine(dir, "losses.jsonl"));
        Assert.Equal(0, SweepTask.Run(plan.Folder, run, 1, TrainHere, Quiet));
        Assert.Equal(evaluated, File.ReadAllText(metrics));   // the same numbers the training's own evaluation wrote
        Assert.Equal(written, File.GetLastWriteTimeUtc(ckpt));
        Assert.Equal(losses, File.ReadAllText(Path.Combine(dir, "losses.jsonl")));
        Assert.Equal(RunState.Finished, RunStatus.Inspect(plan.Folder, run).State);
        Assert.Equal(TaskRecord.Finished, TaskRecord.Read(plan.Folder.TaskFile(run.Name))!.State);
    }

    [Fact]
    public void An_attempt_that_wrote_no_checkpoint_starts_over_and_keeps_the_old_folder()
    {
        using var s = new SweepScratch(totalIters: 1);
        var run = s.Plan("seeds: [1]\n").Runs[0];
        var folder = new SweepFolder(run.Config.Run.Root);
        string dir = folder.RunDirectory(run.Name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, RunDirectory.ConfigFileName), ConfigWriter.ToYaml(run.Config));

        var plan = SweepTask.Plan(folder, run, 0);
        Assert.Equal(TaskAction.Restart, plan.Action);
        Assert.Equal("--overwrite", plan.TrainArguments[^1]);
        Assert.Equal(0, SweepTask.Run(folder, run, 0, TrainHere, Quiet));
        Assert.Equal(RunState.Finished, RunStatus.Inspect(folder, run).State);
        Assert.Single(Directory.GetDirectories(folder.Root, run.Name + ".replaced-*"));
    }

    [Fact]
    public void A_folder_holding_another_configs_run_is_a_conflict_naming_the_key()
    {
        using var s = new SweepScratch();
        var run = s.Plan("seeds: [1]\n").Runs[0];
        var folder = new SweepFolder(run.Config.Run.Root);
        string dir = Directory.CreateDirectory(folder.RunDirectory(run.Name)).FullName;
        var other = run.Config with { Loss = run.Config.Loss with { LambdaCyc = 3 }, Threads = 2 };   // threads alone would not matter
        File.WriteAllText(Path.Combine(dir, RunDirectory.ConfigFileName), ConfigWriter.ToYaml(other));

        var status = RunStatus.Inspect(folder, run);
        Assert.Equal(RunState.Conflict, status.State);
        Assert.Contains("loss.lambda_cyc: the run has 3, the sweep gives 1", status.Detail);
        Assert.DoesNotContain("threads", status.Detail);
        var e = Assert.Throws<InvalidOperationException>(() => SweepTask.Run(folder, run, 0, MustNotTrain, Quiet));
        Assert.Contains(run.Name, e.Message);
    }

    [Fact]
    public void A_run_locked_by_another_task_is_reported_running_and_not_trained_twice()
    {
        using var s = new SweepScratch();
        var run = s.Plan("seeds: [1]\n").Runs[0];
        var folder = new SweepFolder(run.Config.Run.Root);
        using (IO.FileLock.TryAcquire(folder.LockFile(run.Name)))
        {
            Assert.Equal(RunState.Running, RunStatus.Inspect(folder, run).State);
            var e = Assert.Throws<InvalidOperationException>(() => SweepTask.Run(folder, run, 0, MustNotTrain, Quiet));
            Assert.Contains($"being trained by process {Environment.ProcessId} on {Environment.MachineName}", e.Message);
        }
        Assert.Equal(RunState.Pending, RunStatus.Inspect(folder, run).State);
    }

    [Fact]
    public void A_failed_attempt_is_recorded_with_its_exit_code_and_retried_next_time()
    {
        using var s = new SweepScratch();
        var run = s.Plan("seeds: [1]\n").Runs[0];
        var folder = new SweepFolder(run.Config.Run.Root);
        Assert.Equal(2, SweepTask.Run(folder, run, 0, _ => 2, Quiet));
        var status = RunStatus.Inspect(folder, run);
        Assert.Equal(RunState.Failed, status.State);
        Assert.Contains("exit code 2", status.Detail);
        Assert.Equal(TaskAction.Start, SweepTask.Plan(folder, run, 0).Action);
    }
}
