using StarGanLab.Checkpoints;
using StarGanLab.Config;
using StarGanLab.Runs;
using StarGanLab.Training;
using StarGanLab.Experiments.Hooks;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using StarGanLab.Experiments;
using StarGanLab.Networks;

namespace StarGanLab.Tests.Training;

public class TrainingSessionTests : TorchTest
{
    static readonly Action<string> Quiet = _ => { };

    static List<ITrainHook> Hooks(ExperimentConfig c) =>
        [new LossLogHook(1), new SampleHook(c.Train.SampleEvery, outsPerDomain: 1), new CheckpointHook(c.Train.SaveEvery, 0)];

    [Theory]
    [InlineData(AdversarialLoss.Nonsaturating, 1)]
    [InlineData(AdversarialLoss.WganGp, 1)]   // its gradient penalty draws random mixing weights every D phase
    [InlineData(AdversarialLoss.Nonsaturating, 2)]   // train.accumulate: batch 4 in two micro-batches
    public void N_steps_then_resume_for_M_equals_N_plus_M_in_one_go_bit_for_bit(AdversarialLoss adversarial, int accumulate)
    {
        string root = TinyRuns.TempRoot();
        var tiny = TinyRuns.Config(root, totalIters: 4);
        var full = tiny with
        {
            Loss = tiny.Loss with { Adversarial = adversarial },
            Train = accumulate == 1 ? tiny.Train : tiny.Train with { BatchSize = 4, Accumulate = accumulate },
        };
        using (var a = TrainingSession.Start(full, RunDirectory.Create(root, "a", false), Quiet))
            a.Train(Hooks(full));

        var half = full with { Train = full.Train with { TotalIters = 2 } };
        using (var b = TrainingSession.Start(half, RunDirectory.Create(root, "b", false), Quiet))
            b.Train(Hooks(half));
        using (var b = TrainingSession.Resume(RunDirectory.Open(Path.Combine(root, "b")), ["train.total_iters=4"], Quiet))
        {
            Assert.Equal(accumulate, b.Config.Train.Accumulate);   // the run's config.yaml keeps it
            Assert.Equal(2, b.Trainer.Step);
            b.Train(Hooks(b.Config));
        }

        foreach (var kind in new[] { TrainerCheckpoints.Nets, TrainerCheckpoints.NetsEma, TrainerCheckpoints.Optims })
        {
            using var x = NativeCheckpoint.Load(TrainerCheckpoints.FileOf(Path.Combine(root, "a", "checkpoints"), 4, kind));
            using var y = NativeCheckpoint.Load(TrainerCheckpoints.FileOf(Path.Combine(root, "b", "checkpoints"), 4, kind));
            foreach (var (group, sd) in x.Groups)
                foreach (var (key, t) in sd)
                    Assert.True(t.eq(y.Groups[group][key]).all().item<bool>(), $"{kind} {group}.{key} differs after resume");
        }
        var linesA = File.ReadAllLines(Path.Combine(root, "a", "losses.jsonl")).Select(StripTiming).ToArray();
        var linesB = File.ReadAllLines(Path.Combine(root, "b", "losses.jsonl")).Select(StripTiming).ToArray();
        Assert.Equal(4, linesA.Length);
        Assert.Equal(linesA, linesB);
    }

    static string StripTiming(string line) =>
        System.Text.RegularExpressions.Regex.Replace(line, "\"(time|s_per_iter|data_wait_s_per_iter)\":(\"[^\"]*\"|[0-9.eE+-]+),", "");

    [Fact]
    public void A_stop_request_finishes_the_step_and_writes_a_resumable_checkpoint()
    {
        string root = TinyRuns.TempRoot();
        var cfg = TinyRuns.Config(root, totalIters: 10);
        using var stop = new CancellationTokenSource();
        using var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "r", false), Quiet);
        s.Train([.. Hooks(cfg), new StopAt(3, stop)], stop.Token);
        Assert.Equal(3, s.Trainer.Step);
        Assert.Equal([3L], TrainerCheckpoints.CompleteSteps(Path.Combine(root, "r", "checkpoints")));
    }

    sealed class StopAt(long step, CancellationTokenSource cts) : ITrainHook
    {
        public void AfterStep(TrainContext c, StepLosses l) { if (c.Step == step) cts.Cancel(); }
    }

    [Fact]
    public void Live_tensor_count_stays_flat_across_steps()
    {
        string root = TinyRuns.TempRoot();
        var cfg = TinyRuns.Config(root, totalIters: 12, workers: 0);
        using var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "m", false), Quiet);
        var counts = new List<long>();
        s.Train([new Probe(counts)]);
        // after warm-up (optimizer moments appear at the first step) the count must not grow
        Assert.Equal(counts[3], counts[^1]);
    }

    sealed class Probe(List<long> counts) : ITrainHook
    {
        public void AfterStep(TrainContext c, StepLosses l) => counts.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public void A_non_finite_loss_stops_the_run_naming_the_term_and_no_checkpoint_is_written_for_it()
    {
        string root = TinyRuns.TempRoot();
        var cfg = TinyRuns.Config(root, totalIters: 5, saveEvery: 1);
        using var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "nan", false), Quiet);
        var ex = Assert.Throws<TrainingDivergedException>(() => s.Train([.. Hooks(cfg), new PoisonAt(2)]));
        Assert.Contains("at step 3", ex.Message);
        Assert.Matches("loss [DG]/", ex.Message);
        Assert.Equal([2L, 1L], TrainerCheckpoints.CompleteSteps(Path.Combine(root, "nan", "checkpoints")));
    }

    sealed class PoisonAt(long step) : ITrainHook
    {
        public void AfterStep(TrainContext c, StepLosses l)
        {
            if (c.Step != step) return;
            using var _ = no_grad();
            c.Trainer.Nets.Discriminator!.parameters().First().fill_(float.NaN);
        }
    }

    [Fact]
    public void Run_directories_never_escape_their_root_and_are_not_overwritten()
    {
        string root = TinyRuns.TempRoot();
        Assert.Throws<ArgumentException>(() => RunDirectory.Create(root, "../../x", false));
        var run = RunDirectory.Create(root, "keep", false);
        File.WriteAllText(Path.Combine(run.Path, "marker"), "precious");
        var ex = Assert.Throws<IOException>(() => RunDirectory.Create(root, "keep", false));
        Assert.Contains("--resume", ex.Message);
        RunDirectory.Create(root, "keep", overwrite: true);
        var backup = Directory.GetDirectories(root, "keep.replaced-*").Single();
        Assert.Equal("precious", File.ReadAllText(Path.Combine(backup, "marker")));
    }

    static ExperimentConfig HighPass(string root, int totalIters, string wingPath)
    {
        var c = TinyRuns.Config(root, totalIters, workers: 0);
        // 32 px so that the generator's 32x32 level actually uses the masks (skips exist at 32, 64 and 128 only)
        return c with { Model = c.Model with { ImgSize = 32, WHpf = 1 }, Fan = new FanConfig(WingPath: wingPath) };
    }

    [Fact]
    public void High_pass_without_the_wing_file_is_an_error_naming_the_path()
    {
        string root = TinyRuns.TempRoot();
        string wing = Path.Combine(root, "absent", "wing.ckpt");
        var cfg = HighPass(root, 1, wing);
        var ex = Assert.Throws<FileNotFoundException>(() => TrainingSession.Start(cfg, RunDirectory.Create(root, "hpf", false), Quiet));
        Assert.Contains(wing, ex.Message);
        Assert.Contains("model.w_hpf > 0", ex.Message);
    }

    [Fact]
    public void High_pass_training_runs_with_FAN_masks()
    {
        string root = TinyRuns.TempRoot();
        string wing = Path.Combine(root, "wing.ckpt");
        StarGanLab.Tests.Networks.FanSupport.WriteWing(wing);
        var cfg = HighPass(root, 2, wing);
        using var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "hpf", false), Quiet);
        Assert.IsType<FanMasker>(s.Trainer.Masker);
        var seen = new List<StepLosses>();
        s.Train([new Record(seen)]);
        Assert.Equal(2, s.Trainer.Step);
        Assert.All(seen, l => Assert.All(l.Flatten(), kv => Assert.True(double.IsFinite(kv.Value), kv.Key)));
    }

    sealed class Record(List<StepLosses> seen) : ITrainHook
    {
        public void AfterStep(TrainContext c, StepLosses l) => seen.Add(l);
    }
}
