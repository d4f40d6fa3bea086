using StarGanLab.Config;
using StarGanLab.Experiments;
using StarGanLab.Experiments.Hooks;
using StarGanLab.Runs;
using StarGanLab.Tests.Training;
using StarGanLab.Training;
using Xunit;

namespace StarGanLab.Tests.Experiments;

/// <summary>A run folder belongs to one training at a time and is not shortened by a resume (issue 17, cases 8, 9).</summary>
public class RunOwnershipTests : TorchTest
{
    static readonly Action<string> Quiet = _ => { };

    /// <summary>A tiny run trained to step 2, with a checkpoint there.</summary>
    static RunDirectory TrainedToStep2()
    {
        string root = TinyRuns.TempRoot();
        var cfg = TinyRuns.Config(root, totalIters: 2, saveEvery: 2);
        var run = RunDirectory.Create(root, "r", false);
        using (var s = TrainingSession.Start(cfg, run, Quiet))
            s.Train([new LossLogHook(1), new CheckpointHook(2, 0)]);
        return RunDirectory.Open(run.Path);
    }

    static Dictionary<string, byte[]> Snapshot(string dir) =>
        Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(RunDirectory.LockFileName, StringComparison.Ordinal))
            .ToDictionary(f => f, File.ReadAllBytes);

    [Fact]
    public void Resuming_with_total_iters_below_the_reached_step_is_refused_and_leaves_the_run_as_it_was()
    {
        var run = TrainedToStep2();
        var before = Snapshot(run.Path);
        var e = Assert.Throws<InvalidOperationException>(() => TrainingSession.Resume(run, ["train.total_iters=1"], Quiet).Dispose());
        Assert.Contains("train.total_iters=1", e.Message);
        Assert.Contains($"{run.Path} has reached step 2", e.Message);
        var after = Snapshot(run.Path);
        Assert.Equal(before.Keys.Order(), after.Keys.Order());
        foreach (var (file, bytes) in before) Assert.True(bytes.AsSpan().SequenceEqual(after[file]), $"{file} changed");

        using var same = TrainingSession.Resume(run, ["train.total_iters=2"], Quiet);   // equal: nothing left to train, not an error
        Assert.Equal(2, same.Trainer.Step);
    }

    [Fact]
    public void A_second_training_of_a_run_is_refused_naming_the_holders_pid_and_host_until_the_first_ends()
    {
        var run = TrainedToStep2();
        using (var first = TrainingSession.Resume(run, ["train.total_iters=3"], Quiet))
        {
            var e = Assert.Throws<InvalidOperationException>(() => TrainingSession.Resume(run, ["train.total_iters=4"], Quiet).Dispose());
            Assert.Contains($"{run.Path} is being trained by process {Environment.ProcessId} on {Environment.MachineName}", e.Message);
            Assert.Contains(RunDirectory.LockFileName, e.Message);
            var overwrite = Assert.Throws<InvalidOperationException>(() => RunDirectory.Create(Path.GetDirectoryName(run.Path)!, run.Name, overwrite: true));
            Assert.Contains($"process {Environment.ProcessId}", overwrite.Message);
            Assert.Equal(3, ConfigLoader.Load(run.ConfigFile).Train.TotalIters);   // the refused one rewrote nothing
        }
        using var again = TrainingSession.Resume(run, ["train.total_iters=4"], Quiet);
        Assert.Equal(4, again.Config.Train.TotalIters);
    }
}
