using StarGanLab.Config;
using StarGanLab.Metrics;
using StarGanLab.Metrics.GroundTruth;
using StarGanLab.Runs;
using StarGanLab.Tests.Training;
using StarGanLab.Training;
using StarGanLab.Experiments.Hooks;
using Xunit;
using StarGanLab.Experiments;

namespace StarGanLab.Tests.Metrics.GroundTruth;

/// <summary>metrics.ground_truth wires the ground-truth metrics into an evaluation, and metrics.backbone none makes
/// them its only metrics (no backbone, no real statistics, no FID/LPIPS files).</summary>
public class GroundTruthEvaluationTests : TorchTest
{
    static ExperimentConfig Config(string root, MetricsConfig metrics)
    {
        var tiny = TinyRuns.Config(root, totalIters: 1, saveEvery: 1);
        return tiny with { Metrics = metrics };
    }

    [Fact]
    public void Ground_truth_joins_the_evaluation_only_when_configured()
    {
        string root = TinyRuns.TempRoot();
        var on = EvalOptions.From(Config(root, new MetricsConfig(GroundTruth: true, CacheDir: root)));
        Assert.IsType<GroundTruthMetric>(Assert.Single(on.Extra!));
        Assert.Empty(EvalOptions.From(Config(root, new MetricsConfig(CacheDir: root))).Extra!);
    }

    [Fact]
    public void Backbone_none_evaluates_only_the_ground_truth_and_writes_it_beside_the_run()
    {
        string root = TinyRuns.TempRoot();
        var cfg = Config(root, new MetricsConfig(Backbone: "none", GroundTruth: true, Modes: "latent,reference", NumOutsPerDomain: 2, CacheDir: Path.Combine(root, "cache")));
        using (var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "gt", false), _ => { }))
            s.Train([new CheckpointHook(1, 0)]);
        using var model = TrainedModel.Load(Path.Combine(root, "gt"));
        // The tiny oracle budget of the ground-truth tests instead of the default (minutes on a CPU).
        var metric = new GroundTruthMetric(Path.Combine(root, "cache", "oracles"),
            new GroundTruthOptions(SourcesPerDomain: 4, OutsPerInput: 2, Oracle: TinyOracle.Options));
        var options = EvalOptions.From(model.Config) with { Extra = [metric] };

        using var suite = MetricSuite.Open(model.Config.Metrics, model.Device);
        Assert.True(suite.IsEmpty);
        var results = Evaluation.Run(model, suite, options);
        Assert.Equal(["latent", "reference"], results.Select(r => r.Mode));
        Assert.All(results, r => Assert.All(r.Mean.Keys, k => Assert.StartsWith("gt_", k)));
        Assert.Contains("gt_latent/domain_acc/mean", results[0].Mean.Keys);
        Assert.Contains("gt_reference/style_err/mean", results[1].Mean.Keys);
        Assert.All(results.SelectMany(r => r.Mean.Values), v => Assert.True(double.IsFinite(v)));

        var files = EvalWriter.Write(model.Run, results, suite.FidName, suite.LpipsName);
        Assert.Equal(["extra_00001_latent.json", "extra_00001_reference.json"], files.Select(Path.GetFileName));
        string line = Assert.Single(File.ReadAllLines(Path.Combine(model.Run.Path, "metrics.jsonl")));
        Assert.Contains("\"gt_latent/domain_acc/mean\"", line);
        // No backbone, so no real-image statistics were computed or cached.
        Assert.Empty(Directory.GetFiles(Path.Combine(root, "cache"), "*.stats", SearchOption.AllDirectories));
    }

    [Fact]
    public void Backbone_none_without_ground_truth_is_refused_as_nothing_to_evaluate()
    {
        string root = TinyRuns.TempRoot();
        var cfg = Config(root, new MetricsConfig(Backbone: "none", CacheDir: root));
        using (var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "n", false), _ => { }))
            s.Train([new CheckpointHook(1, 0)]);
        using var model = TrainedModel.Load(Path.Combine(root, "n"));
        var e = Assert.Throws<ArgumentException>(() => Evaluation.Run(model, EvalOptions.From(model.Config)));
        Assert.Contains("nothing to evaluate", e.Message);
    }
}
