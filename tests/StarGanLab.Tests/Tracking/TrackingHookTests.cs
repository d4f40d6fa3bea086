using StarGanLab.Config;
using StarGanLab.Runs;
using StarGanLab.Tests.Training;
using StarGanLab.Tracking;
using StarGanLab.Training;
using StarGanLab.Experiments.Hooks;
using Xunit;
using static TorchSharp.torch;
using StarGanLab.Experiments;

namespace StarGanLab.Tests.Tracking;

/// <summary>The hook on tiny real runs (16 px, batch 2): what is logged at which step, and how the run ends.</summary>
public class TrackingHookTests : TorchTest
{
    static readonly Action<string> Quiet = _ => { };

    static readonly string[] LossKeys =
    [
        "D/latent_real", "D/latent_fake", "D/latent_reg", "D/ref_real", "D/ref_fake", "D/ref_reg",
        "G/latent_adv", "G/latent_sty", "G/latent_ds", "G/latent_cyc", "G/ref_adv", "G/ref_sty", "G/ref_ds", "G/ref_cyc",
        "G/lambda_ds", "s_per_iter", "data_wait_s_per_iter",
    ];

    [Theory]
    [InlineData(false, 10, 10, RunStatus.Finished)]
    [InlineData(false, 3, 10, RunStatus.Killed)]
    [InlineData(true, 3, 10, RunStatus.Failed)]
    [InlineData(true, 10, 10, RunStatus.Failed)]
    public void The_end_status_says_how_the_run_ended(bool failed, long step, long total, RunStatus expected) =>
        Assert.Equal(expected, TrackingHook.StatusOf(failed, step, total));

    [Fact]
    public void Only_the_newest_sample_step_is_uploaded()
    {
        string dir = TrackingTemp.Dir();
        foreach (var f in new[] { "000002_reference.png", "000010_reference.png", "000010_cycle_consistency.png", "notes.png", "000011_x.txt" })
            File.WriteAllText(Path.Combine(dir, f), "");
        Assert.Equal(["000010_cycle_consistency.png", "000010_reference.png"], RunDirectory.NewestSamples(dir).Select(Path.GetFileName));
        Assert.Empty(RunDirectory.NewestSamples(Path.Combine(dir, "none")));
    }

    [Fact]
    public void A_tiny_run_logs_config_params_tags_losses_every_print_step_and_its_files()
    {
        string root = TinyRuns.TempRoot();
        var tiny = TinyRuns.Config(root, totalIters: 5);
        var cfg = tiny with { Preset = "tiny-preset", Train = tiny.Train with { PrintEvery = 2 } };
        var sink = new RecordingSink();
        var log = new Messages();
        using var session = TrainingSession.Start(cfg, RunDirectory.Create(root, "t", false), Quiet);
        var store = new MlflowFileStore(Path.Combine(root, "mlruns"), session.Run.Path, log.Add);
        using var tracker = new Tracker([sink, store], log.Add);

        session.Train([new LossLogHook(2), new SampleHook(1000, outsPerDomain: 1),
                       new TrackingHook(tracker, 2, source: "stargan train tiny.yaml", gitDirectory: Fixtures.RepoRoot)]);

        var (experiment, runName, ps, tags) = sink.Started!.Value;
        Assert.Equal("tiny", experiment);
        Assert.Equal("t", runName);
        Assert.Equal(ConfigWriter.Flatten(cfg), ps);
        var tagMap = tags.ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal(Environment.MachineName, tagMap[TrackingTags.Host]);
        Assert.Equal("stargan train tiny.yaml", tagMap[TrackingTags.Source]);
        Assert.Equal("tiny-preset", tagMap[TrackingTags.Preset]);
        Assert.Equal(session.Run.Path, tagMap[TrackingTags.RunDirectory]);
        if (TrackingHook.GitCommit(Fixtures.RepoRoot) is { } commit) Assert.Equal(commit, tagMap[TrackingTags.GitCommit]);

        Assert.Equal([2L, 4, 5], sink.Metrics.Select(m => m.Step));          // every print_every and the last step
        Assert.All(sink.Metrics, m => Assert.Equal(LossKeys, m.Metrics.Select(x => x.Key)));
        Assert.Equal(["config.yaml", "000005_cycle_consistency.png", "000005_latent_psi_0.5.png", "000005_latent_psi_0.7.png",
                      "000005_latent_psi_1.0.png", "000005_reference.png", "losses.jsonl"],
                     sink.Artifacts.Select(a => Path.GetFileName(a.Path)));
        Assert.All(sink.Artifacts.Where(a => a.Path.EndsWith(".png")), a => Assert.Equal("samples", a.Folder));
        Assert.Equal(RunStatus.Finished, sink.Ended);
        Assert.DoesNotContain(log.All, m => m.StartsWith("tracking:"));

        // the same run in the mlruns store: losses match losses.jsonl, files are there
        string metrics = Path.Combine(store.RunPath!, "metrics");
        Assert.Equal(["2", "4", "5"], File.ReadAllLines(Path.Combine(metrics, "G", "ref_cyc")).Select(l => l.Split(' ')[2]));
        var lastLine = System.Text.Json.JsonDocument.Parse(File.ReadAllLines(session.Run.LossesFile)[^1]).RootElement;
        Assert.Equal(lastLine.GetProperty("D/latent_real").GetDouble(),
                     double.Parse(File.ReadAllLines(Path.Combine(metrics, "D", "latent_real"))[^1].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), 12);
        Assert.True(File.Exists(Path.Combine(store.RunPath!, "artifacts", "samples", "000005_reference.png")));
        Assert.Equal(File.ReadAllText(session.Run.ConfigFile), File.ReadAllText(Path.Combine(store.RunPath!, "artifacts", "config.yaml")));
        Assert.Equal("8", File.ReadAllText(Path.Combine(store.RunPath!, "params", "model.latent_dim")));
    }

    [Fact]
    public void A_stopped_run_is_killed_and_its_resume_continues_the_same_mlflow_run()
    {
        string root = TinyRuns.TempRoot();
        var cfg = TinyRuns.Config(root, totalIters: 4);
        string mlruns = Path.Combine(root, "mlruns");
        var first = new RecordingSink();
        MlflowFileStore store;
        using (var stop = new CancellationTokenSource())
        using (var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "k", false), Quiet))
        {
            store = new MlflowFileStore(mlruns, s.Run.Path, Quiet);
            using var tracker = new Tracker([first, store], Quiet);
            s.Train([new LossLogHook(1), new CheckpointHook(1000, 0), new TrackingHook(tracker, 1), new StopAt(2, stop)], stop.Token);
        }
        Assert.Equal(RunStatus.Killed, first.Ended);
        Assert.Equal("5", ReadStatus(store.RunPath!));

        using (var s = TrainingSession.Resume(RunDirectory.Open(Path.Combine(root, "k")), [], Quiet))
        {
            var again = new MlflowFileStore(mlruns, s.Run.Path, Quiet);
            using var tracker = new Tracker([again], Quiet);
            s.Train([new LossLogHook(1), new TrackingHook(tracker, 1)]);
            Assert.Equal(store.RunPath, again.RunPath);
        }
        Assert.Equal("3", ReadStatus(store.RunPath!));
        Assert.Equal(["1", "2", "3", "4"], File.ReadAllLines(Path.Combine(store.RunPath!, "metrics", "D", "latent_real")).Select(l => l.Split(' ')[2]));
        Assert.Equal("2", File.ReadAllText(Path.Combine(store.RunPath!, "tags", TrackingTags.ResumedFrom)));
    }

    [Fact]
    public void A_diverged_run_ends_failed_with_its_config_and_losses_uploaded()
    {
        string root = TinyRuns.TempRoot();
        var cfg = TinyRuns.Config(root, totalIters: 5);
        var sink = new RecordingSink();
        using var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "f", false), Quiet);
        using var tracker = new Tracker([sink], Quiet);
        Assert.Throws<TrainingDivergedException>(() => s.Train([new LossLogHook(1), new TrackingHook(tracker, 1), new PoisonAt(2)]));
        Assert.Equal(RunStatus.Failed, sink.Ended);
        Assert.Equal([1L, 2], sink.Metrics.Select(m => m.Step));
        Assert.Equal(["config.yaml", "losses.jsonl"], sink.Artifacts.Select(a => Path.GetFileName(a.Path)));
    }

    static string ReadStatus(string runPath) =>
        File.ReadAllLines(Path.Combine(runPath, "meta.yaml")).Single(l => l.StartsWith("status:"))["status:".Length..].Trim();

    sealed class StopAt(long step, CancellationTokenSource cts) : ITrainHook
    {
        public void AfterStep(TrainContext c, StepLosses l) { if (c.Step == step) cts.Cancel(); }
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
}
