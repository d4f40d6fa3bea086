using StarGanLab.Config;
using StarGanLab.Data;
using StarGanLab.Metrics;
using StarGanLab.Native;
using StarGanLab.Reports;
using StarGanLab.Runs;
using StarGanLab.Tests.Training;
using StarGanLab.Training;
using StarGanLab.Experiments.Hooks;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using StarGanLab.Experiments;

namespace StarGanLab.Tests.Metrics;

/// <summary>One tiny trained run shared by the evaluation tests: 2 domains of synthetic images exported as an
/// ImageFolder (4 training, 2 validation images each), 2 outputs per input, the offline ResNet18 backbone, trained
/// 2 steps with EvalHook evaluating the reference mode at step 2. Shared because ResNet18 at 224 px costs about
/// 0.25 s per image on a loaded 2-core machine and a training session takes seconds to start.</summary>
public sealed class TinyEvalRun : IDisposable
{
    public string Root { get; } = TinyRuns.TempRoot();
    public string RunDir => Path.Combine(Root, "tiny");

    public TinyEvalRun()
    {
        TorchRuntime.EnsureLoaded();
        var set = new SyntheticDomains(new SyntheticOptions(Domains: 2, PerDomain: 4, ImgSize: 16, Seed: 5, ValPerDomain: 2));
        set.Export(Path.Combine(Root, "train"), 4, Split.Train);
        set.Export(Path.Combine(Root, "val"), 2, Split.Val);
        var tiny = TinyRuns.Config(Root, totalIters: 2, saveEvery: 2);
        var cfg = tiny with
        {
            Model = tiny.Model with { NumDomains = 2 },
            Data = new DataConfig(Source: "folder", Root: Path.Combine(Root, "train"), ValRoot: Path.Combine(Root, "val"), Workers: 1, Prefetch: 2),
            Train = tiny.Train with { ValBatchSize = 2, EvalEvery = 2 },
            Metrics = new MetricsConfig(Modes: "reference", NumOutsPerDomain: 2, BatchSize: 4, CacheDir: Path.Combine(Root, "cache")),
        };
        using var session = TrainingSession.Start(cfg, RunDirectory.Create(cfg.Run.Root, "tiny", overwrite: false), _ => { });
        session.Train([new CheckpointHook(cfg.Train.SaveEvery, 0), new EvalHook()], CancellationToken.None);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { /* a temp folder left behind is harmless */ }
    }
}

public class EvaluationTests(TinyEvalRun run) : TorchTest, IClassFixture<TinyEvalRun>
{
    [Fact]
    public void Offline_metrics_are_finite_and_the_same_for_the_same_seed()
    {
        using var model = TrainedModel.Load(run.RunDir);
        var options = EvalOptions.From(model.Config) with { Modes = ["latent"], Seeds = 2 };
        var latent = Evaluation.Run(model, options).Single();
        var again = Evaluation.Run(model, options with { Seeds = 1 }).Single();
        // The official order: per target domain (cat, dog), each other domain as source.
        Assert.Equal(["fid_resnet18_latent/dog2cat", "fid_resnet18_latent/cat2dog", "fid_resnet18_latent/mean",
                      "lpips_resnet18_latent/dog2cat", "lpips_resnet18_latent/cat2dog", "lpips_resnet18_latent/mean"], latent.Mean.Keys);
        Assert.Equal([model.Config.Seed, model.Config.Seed + 1], latent.Seeds);
        foreach (var (k, v) in latent.PerSeed[0])
        {
            Assert.True(double.IsFinite(v) && v >= 0, $"{k} = {v}");
            Assert.Equal(v, again.Mean[k]);   // seeded: the same seed gives the same numbers, bit for bit
        }
        // Different seeds draw different latent codes, so the per-seed LPIPS differ and the std is positive.
        Assert.NotEqual(latent.PerSeed[0]["lpips_resnet18_latent/mean"], latent.PerSeed[1]["lpips_resnet18_latent/mean"]);
        Assert.True(latent.Std["lpips_resnet18_latent/mean"] > 0);
        Assert.Equal((latent.PerSeed[0]["fid_resnet18_latent/cat2dog"] + latent.PerSeed[1]["fid_resnet18_latent/cat2dog"]) / 2,
                     latent.Mean["fid_resnet18_latent/cat2dog"], 10);
        // The real statistics were computed once per domain (by the hook during training) and then read from the cache.
        Assert.Equal(2, Directory.GetFiles(Path.Combine(run.Root, "cache"), "resnet18-*.stats").Length);
    }

    [Fact]
    public void The_hook_evaluated_at_eval_every_and_wrote_the_official_files()
    {
        var json = File.ReadAllText(Path.Combine(run.RunDir, "eval", "fid_resnet18_00002_reference.json"));
        Assert.Contains("\"fid_resnet18_reference/cat2dog\"", json);
        Assert.Contains("\"fid_resnet18_reference/mean\"", json);
        Assert.True(File.Exists(Path.Combine(run.RunDir, "eval", "lpips_resnet18_00002_reference.json")));
        var metrics = RunResults.Load(run.RunDir).Metrics;
        Assert.Equal([2L], metrics["fid_resnet18_reference/mean"]!.Steps);
        Assert.True(double.IsFinite(metrics["lpips_resnet18_reference/mean"]!.Last));
    }

    [Fact]
    public void Metrics_line_of_a_step_is_replaced_not_duplicated()
    {
        string path = Path.Combine(TinyRuns.TempRoot(), "metrics.jsonl");
        File.WriteAllText(path, "{\"step\": 1, \"x_latent/mean\": 5}\n");
        IReadOnlyDictionary<string, double> v(double x) => new Dictionary<string, double> { ["x_latent/mean"] = x };
        EvalResult At(long step, double x) => new(step, "latent", [1], [v(x)], v(x), v(0));
        EvalWriter.AppendMetricsLine(path, [At(2, 7)]);
        EvalWriter.AppendMetricsLine(path, [At(2, 8)]);
        var series = ScalarLog.Read(path)["x_latent/mean"]!;
        Assert.Equal([1L, 2L], series.Steps);
        Assert.Equal([5.0, 8.0], series.Values);
        Assert.Equal(2, File.ReadAllLines(path).Length);
    }

    [Fact]
    public void Re_evaluating_a_step_with_fewer_metrics_keeps_the_ones_it_did_not_compute()
    {
        string path = Path.Combine(TinyRuns.TempRoot(), "metrics.jsonl");
        // The run's own evaluation: FID over two seeds, and the ground truth.
        File.WriteAllText(path, "{\"step\": 5, \"fid_latent/mean\": 900, \"fid_latent_std/mean\": 30, \"gt_latent/domain_acc/mean\": 0.5}\n");
        IReadOnlyDictionary<string, double> d(params (string K, double V)[] kv) => kv.ToDictionary(p => p.K, p => p.V);
        // A ground-truth-only re-evaluation of the same step, which adds a new ground-truth value...
        var gt = d(("gt_latent/domain_acc/mean", 0.6), ("gt_latent/textured/mean", 0.7));
        EvalWriter.AppendMetricsLine(path, [new EvalResult(5, "latent", [1], [gt], gt, d())]);
        var line = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllLines(path).Single())!;
        Assert.Equal(900, (double)line["fid_latent/mean"]!);
        Assert.Equal(30, (double)line["fid_latent_std/mean"]!);
        Assert.Equal(0.6, (double)line["gt_latent/domain_acc/mean"]!);
        Assert.Equal(0.7, (double)line["gt_latent/textured/mean"]!);

        // ...and a one-seed FID re-evaluation replaces FID whole: no standard deviation of the earlier two seeds is left.
        var fid = d(("fid_latent/mean", 880));
        EvalWriter.AppendMetricsLine(path, [new EvalResult(5, "latent", [1], [fid], fid, d())]);
        line = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllLines(path).Single())!;
        Assert.Equal(880, (double)line["fid_latent/mean"]!);
        Assert.Null(line["fid_latent_std/mean"]);
        Assert.Equal(0.7, (double)line["gt_latent/textured/mean"]!);
    }

    [Fact]
    public void Reference_styles_take_the_first_n_of_each_full_batch_and_cycle()
    {
        // 5 references, batch 2: the full batches are [0,1] and [2,3] (drop_last), each request takes a new batch
        Assert.Equal([0L, 1L], Evaluation.ReferenceIndices(0, 2, 5, 2).data<long>().ToArray());
        Assert.Equal([2L], Evaluation.ReferenceIndices(2, 1, 5, 2).data<long>().ToArray());
        Assert.Equal([0L, 1L], Evaluation.ReferenceIndices(4, 2, 5, 2).data<long>().ToArray());
        // fewer references than a batch: cycle through all of them
        Assert.Equal([0L, 1L, 2L, 0L], Evaluation.ReferenceIndices(0, 4, 3, 8).data<long>().ToArray());
    }

    [Fact]
    public void Fakes_are_quantised_as_the_official_png_round_trip()
    {
        var x = tensor(new float[] { -1f, 1f, 0f, -2f, 2f, 0.5f / 127.5f - 1 });
        // (x+1)/2 clamped, then floor(255 v + 0.5): 0, 255, 128 (127.5 rounds up), clamps, and 0.5/255 -> 0.5 -> 1
        Assert.Equal([0f, 255f, 128f, 0f, 255f, 1f], EvalPixels.ToBytes(x).data<float>().ToArray());
    }

    [Fact]
    public void Inception_backbone_without_weights_is_an_error_naming_the_key()
    {
        var m = new MetricsConfig(Backbone: "inception", InceptionWeights: "/nonexistent/inception.pth", AlexnetWeights: "a", LpipsWeights: "b");
        var e = Assert.Throws<FileNotFoundException>(() => MetricSuite.CheckFiles(m));
        Assert.Contains("metrics.inception_weights", e.Message);
    }
}
