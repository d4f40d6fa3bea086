using StarGanLab.Runs;
using StarGanLab.Tests.Training;
using StarGanLab.Training;
using StarGanLab.Experiments.Hooks;
using Xunit;
using static TorchSharp.torch;
using StarGanLab.Experiments;

namespace StarGanLab.Tests.Runs;

public class TrainedModelTests : TorchTest
{
    [Fact]
    public void Loads_the_ema_nets_of_the_requested_step_in_eval_mode()
    {
        string root = TinyRuns.TempRoot();
        var cfg = TinyRuns.Config(root, totalIters: 2, saveEvery: 1);
        using (var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "m", false), _ => { }))
            s.Train([new CheckpointHook(1, 0)]);
        string dir = Path.Combine(root, "m");

        using var newest = TrainedModel.Load(dir);
        using var first = TrainedModel.Load(dir, step: 1);
        Assert.Equal(2, newest.Step);
        Assert.Equal(1, first.Step);
        Assert.False(newest.Nets.Generator.training);
        Assert.Null(newest.Nets.Discriminator);
        Assert.Null(newest.Masker);

        using var saved = NativeCheckpointOf(dir, 2);
        var w = newest.Nets.Generator.state_dict()["from_rgb.weight"];
        Assert.True(w.allclose(saved.Groups["generator"]["from_rgb.weight"], rtol: 0, atol: 0));
        Assert.False(w.allclose(first.Nets.Generator.state_dict()["from_rgb.weight"], rtol: 0, atol: 0));
    }

    [Fact]
    public void Missing_step_names_the_steps_that_exist()
    {
        string root = TinyRuns.TempRoot();
        var cfg = TinyRuns.Config(root, totalIters: 1, saveEvery: 1);
        using (var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "m", false), _ => { }))
            s.Train([new CheckpointHook(1, 0)]);
        var e = Assert.Throws<FileNotFoundException>(() => TrainedModel.Load(Path.Combine(root, "m"), step: 7));
        Assert.Contains("no nets_ema checkpoint at step 7 (have 1)", e.Message);
    }

    static StarGanLab.Checkpoints.NativeCheckpointData NativeCheckpointOf(string dir, long step) =>
        StarGanLab.Checkpoints.NativeCheckpoint.Load(TrainerCheckpoints.FileOf(Path.Combine(dir, "checkpoints"), step, TrainerCheckpoints.NetsEma));
}
