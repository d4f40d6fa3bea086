using StarGanLab.Checkpoints;
using StarGanLab.Config;
using StarGanLab.Runs;
using StarGanLab.Tests.Training;
using StarGanLab.Training;
using StarGanLab.Experiments.Hooks;
using Xunit;
using static TorchSharp.torch;
using StarGanLab.Experiments;

namespace StarGanLab.Tests.Reliability;

/// <summary>Broken checkpoints on disk and non-finite training states: resume and rollback use what is still good.</summary>
public class CheckpointFaultTests : TorchTest
{
    static List<ITrainHook> Hooks(ExperimentConfig c) => [new LossLogHook(1), new CheckpointHook(c.Train.SaveEvery, 0)];

    static string TrainRun(string root, string name, int steps)
    {
        var cfg = TinyRuns.Config(root, totalIters: steps, saveEvery: 1, workers: 0);
        using var s = TrainingSession.Start(cfg, RunDirectory.Create(root, name, false), _ => { });
        s.Train(Hooks(cfg));
        return Path.Combine(root, name);
    }

    [Theory]
    [InlineData("truncated", "file truncated")]
    [InlineData("flipped", "checksum mismatch")]
    public void Resume_skips_a_corrupt_newest_checkpoint_with_a_log_line_and_uses_the_one_before(string fault, string reason)
    {
        string root = TinyRuns.TempRoot();
        string run = TrainRun(root, "r", 3);
        string newest = TrainerCheckpoints.FileOf(Path.Combine(run, "checkpoints"), 3, TrainerCheckpoints.Nets);
        byte[] bytes = File.ReadAllBytes(newest);
        if (fault == "truncated") File.WriteAllBytes(newest, bytes[..(bytes.Length - 100)]);
        else { bytes[^10] ^= 0xFF; File.WriteAllBytes(newest, bytes); }

        var log = new List<string>();
        using var s = TrainingSession.Resume(RunDirectory.Open(run), ["train.total_iters=4"], log.Add);
        Assert.Equal(2, s.Trainer.Step);
        string skipped = Assert.Single(log, l => l.StartsWith("skipped the checkpoint of step 3"));
        Assert.Contains(newest, skipped);
        Assert.Contains(reason, skipped);
        s.Train(Hooks(s.Config));
        Assert.Equal(4, s.Trainer.Step);
    }

    [Fact]
    public void Resume_removes_temp_files_of_an_interrupted_save_and_ignores_an_incomplete_step()
    {
        string root = TinyRuns.TempRoot();
        string run = TrainRun(root, "r", 2);
        string dir = Path.Combine(run, "checkpoints");
        // what a kill between the files of step 3 leaves: nets complete, nets_ema half-written in its temp file, no optims
        File.Copy(TrainerCheckpoints.FileOf(dir, 2, TrainerCheckpoints.Nets), TrainerCheckpoints.FileOf(dir, 3, TrainerCheckpoints.Nets));
        string temp = Path.Combine(dir, $".000003_nets_ema.sgl.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(temp, [1, 2, 3]);

        var log = new List<string>();
        using var s = TrainingSession.Resume(RunDirectory.Open(run), [], log.Add);
        Assert.Equal(2, s.Trainer.Step);
        Assert.False(File.Exists(temp));
        Assert.Contains(log, l => l.Contains("left by a save that was interrupted"));
    }

    [Fact]
    public void When_no_checkpoint_loads_the_error_lists_every_reason()
    {
        string root = TinyRuns.TempRoot();
        string run = TrainRun(root, "r", 2);
        foreach (long step in new[] { 1L, 2L })
            File.WriteAllBytes(TrainerCheckpoints.FileOf(Path.Combine(run, "checkpoints"), step, TrainerCheckpoints.Optims), [0x53, 0x47]);
        var ex = Assert.Throws<CheckpointException>(() => TrainingSession.Resume(RunDirectory.Open(run), [], _ => { }));
        Assert.Contains("none of the 2 checkpoint(s)", ex.Message);
        Assert.Contains("000001_optims.sgl", ex.Message);
        Assert.Contains("000002_optims.sgl", ex.Message);
    }

    [Fact]
    public void Rollback_reloads_the_last_good_checkpoint_and_finishes_the_run_without_a_NaN_checkpoint()
    {
        string root = TinyRuns.TempRoot();
        var cfg = TinyRuns.Config(root, totalIters: 5, saveEvery: 1, workers: 0);
        cfg = cfg with { Train = cfg.Train with { OnNan = "rollback" } };
        var log = new List<string>();
        using var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "nan", false), log.Add);
        s.Train([.. Hooks(cfg), new PoisonAt(2)]);

        Assert.Equal(5, s.Trainer.Step);
        string rolled = Assert.Single(log, l => l.Contains("rolled back"));
        Assert.Matches("loss [DG]/.* at step 3.*rolled back to the checkpoint of step 2 \\(rollback 1 of 3\\)", rolled);
        string dir = Path.Combine(root, "nan", "checkpoints");
        Assert.Equal([5L, 4, 3, 2, 1], TrainerCheckpoints.CompleteSteps(dir));
        foreach (long step in TrainerCheckpoints.CompleteSteps(dir))
        {
            using var nets = NativeCheckpoint.Load(TrainerCheckpoints.FileOf(dir, step, TrainerCheckpoints.Nets));
            Assert.All(nets.Groups.Values.SelectMany(g => g), kv => Assert.True(kv.Value.isfinite().all().item<bool>(), $"step {step} {kv.Key}"));
        }
        // losses.jsonl holds every step once, the failed step 3 replaced by its successful retry
        var steps = File.ReadAllLines(Path.Combine(root, "nan", "losses.jsonl"))
            .Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64());
        Assert.Equal([1L, 2, 3, 4, 5], steps);
    }

    [Fact]
    public void Repeated_divergence_stops_after_three_rollbacks_to_the_same_checkpoint()
    {
        string root = TinyRuns.TempRoot();
        var cfg = TinyRuns.Config(root, totalIters: 20, saveEvery: 1, workers: 0);
        cfg = cfg with { Train = cfg.Train with { OnNan = "rollback" } };
        var log = new List<string>();
        using var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "again", false), log.Add);
        var ex = Assert.Throws<TrainingDivergedException>(() => s.Train([.. Hooks(cfg), new PoisonAt(1, persistent: true)]));
        Assert.Contains("rolled back to the checkpoint of step 1 3 times, giving up", ex.Message);
        Assert.Equal(3, log.Count(l => l.Contains("rolled back to the checkpoint of step 1")));
        Assert.Equal([1L], TrainerCheckpoints.CompleteSteps(Path.Combine(root, "again", "checkpoints")));
    }

    [Fact]
    public void Non_finite_weights_are_never_written_as_a_checkpoint()
    {
        string root = TinyRuns.TempRoot();
        var cfg = TinyRuns.Config(root, totalIters: 3, saveEvery: 1, workers: 0);
        using var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "w", false), _ => { });
        // poisoned after the step's loss check and before the checkpoint hook sees the step
        var ex = Assert.Throws<TrainingDivergedException>(() => s.Train([new PoisonAt(2), .. Hooks(cfg)]));
        Assert.Contains("became non-finite at step 2", ex.Message);
        Assert.Equal([1L], TrainerCheckpoints.CompleteSteps(Path.Combine(root, "w", "checkpoints")));
    }

    /// <summary>Fills a discriminator weight with NaN after the given step; when persistent, again after every
    /// rollback (a fault that the checkpoint does not cure).</summary>
    sealed class PoisonAt(long step, bool persistent = false) : ITrainHook
    {
        bool done;
        public void AfterStep(TrainContext c, StepLosses l)
        {
            if (c.Step != step || done) return;
            done = true;
            Poison(c);
        }

        public void AfterRollback(TrainContext c)
        {
            if (persistent) Poison(c);
        }

        static void Poison(TrainContext c)
        {
            using var _ = no_grad();
            c.Trainer.Nets.Discriminator!.parameters().First().fill_(float.NaN);
        }
    }
}
