using StarGanLab.Config;
using StarGanLab.Metrics.GroundTruth;
using StarGanLab.Networks;
using StarGanLab.Runs;
using StarGanLab.Tests.Training;
using StarGanLab.Training;
using StarGanLab.Experiments.Hooks;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;
using StarGanLab.Experiments;

namespace StarGanLab.Tests.Metrics.GroundTruth;

public class SyntheticGroundTruthTests(TinyOracle tiny, ITestOutputHelper output) : TorchTest, IClassFixture<TinyOracle>
{
    static readonly GroundTruthOptions Small = new(SourcesPerDomain: 8, OutsPerInput: 3, BatchSize: 8, Oracle: TinyOracle.Options);

    IReadOnlyDictionary<string, double> Eval(IGroundTruthTranslator t, string mode, long seed = 1) =>
        SyntheticGroundTruth.Evaluate(t, tiny.Set, tiny.Oracle, mode, seed, Small, output.WriteLine);

    [Fact]
    public void The_oracle_reads_domain_content_and_style_of_held_out_renders_far_better_than_chance()
    {
        var q = tiny.Oracle.Quality;
        output.WriteLine(q.ToString());
        Assert.Equal(150, q.Images);
        // Chance is 1/3 for the domain; the best constant guess scores 0.25 on content (uniform factors on [0, 1]) and
        // about 0.24 on the colours. This oracle has a test-sized budget (200 steps at 16 px): it is weakest on content,
        // where 16 px leaves the head's position a range of under 3 pixels.
        Assert.True(q.DomainAcc > 0.5, $"domain accuracy {q.DomainAcc}");
        Assert.True(q.ContentErr < 0.22, $"content error {q.ContentErr}");
        Assert.True(q.StyleErr < 0.15, $"style error {q.StyleErr}");
    }

    [Fact]
    public void A_perfect_translator_scores_near_the_oracle_floor_and_an_untrained_generator_clearly_worse()
    {
        var perfect = new PerfectTranslator(tiny.Set);
        var model = TinyRuns.Config(TinyRuns.TempRoot(), totalIters: 1).Model;
        var (nets, ema) = StarGanNets.Build(model, CPU, seed: 21);   // the same untrained generator every run
        using var _ = nets;
        using var __ = ema;
        ema.Train(false);
        var untrained = new ModelTranslator(ema, CPU);
        var q = tiny.Oracle.Quality;

        foreach (string mode in SyntheticGroundTruth.Modes)
        {
            var p = Eval(perfect, mode);
            var u = Eval(untrained, mode);
            string m = $"gt_{mode}";
            output.WriteLine($"{mode}: perfect {Show(p)}\n{mode}: untrained {Show(u)}");
            // The perfect outputs are renders like the oracle's held-out set, so they land at its floor...
            Assert.InRange(p[$"{m}/domain_acc/mean"], q.DomainAcc - 0.12, 1.0);
            Assert.InRange(p[$"{m}/content_err/mean"], 0, q.ContentErr + 0.04);
            // ...and an untrained generator, whose outputs keep neither the target's shape nor the source's content, far from it.
            // The test-sized oracle reads the domain of perfect renders at only 0.55-0.7 (chance 1/3), so "far" is
            // relative to its skill: the untrained generator must stay below halfway from chance to the perfect score.
            double pAcc = p[$"{m}/domain_acc/mean"], uAcc = u[$"{m}/domain_acc/mean"];
            Assert.True(uAcc < pAcc - 0.5 * (pAcc - 1.0 / 3), $"{mode} domain acc: untrained {uAcc}, perfect {pAcc}");
            Assert.True(u[$"{m}/content_err/mean"] > p[$"{m}/content_err/mean"] + 0.05, $"{mode} content err: untrained {u[$"{m}/content_err/mean"]}, perfect {p[$"{m}/content_err/mean"]}");
            // Perfect diversity is the data's own spread of styles (seen through the oracle).
            Assert.InRange(p[$"{m}/diversity/mean"], 0.5 * p["gt_data/style_spread"], 1.5 * p["gt_data/style_spread"]);
        }
        var pr = Eval(perfect, SyntheticGroundTruth.Reference);
        var ur = Eval(untrained, SyntheticGroundTruth.Reference);
        Assert.InRange(pr["gt_reference/style_err/mean"], 0, q.StyleErr + 0.03);
        Assert.True(ur["gt_reference/style_err/mean"] > pr["gt_reference/style_err/mean"] + 0.05,
            $"style err: untrained {ur["gt_reference/style_err/mean"]}, perfect {pr["gt_reference/style_err/mean"]}");
        // The perfect translator keeps the source's pose, so against the reference's it is as far as two unrelated
        // images; a translator that renders the reference itself (its pose and style, the target domain) is at the floor.
        Assert.InRange(pr["gt_reference/content_err_vs_ref/mean"], 0.25, 0.45);
        var copier = Eval(new ReferenceCopier(tiny.Set), SyntheticGroundTruth.Reference);
        Assert.InRange(copier["gt_reference/content_err_vs_ref/mean"], 0, q.ContentErr + 0.03);
        Assert.True(copier["gt_reference/content_err/mean"] > 0.25, $"a copier's content err against the source: {copier["gt_reference/content_err/mean"]}");
    }

    /// <summary>Draws the reference again: everything of the reference, nothing of the source.</summary>
    sealed class ReferenceCopier(StarGanLab.Data.SyntheticDomains set) : IGroundTruthTranslator
    {
        public Tensor Translate(TranslationRequest r) =>
            Renders.Images(set, r.ReferenceFactors!.Select(f => new Rendering(r.TargetDomain, f)).ToArray());
    }

    [Fact]
    public void Metrics_are_named_per_task_and_mean_and_the_same_seed_gives_the_same_numbers()
    {
        var perfect = new PerfectTranslator(tiny.Set);
        var a = Eval(perfect, SyntheticGroundTruth.Latent, seed: 5);
        var b = Eval(perfect, SyntheticGroundTruth.Latent, seed: 5);
        var c = Eval(perfect, SyntheticGroundTruth.Latent, seed: 6);
        Assert.Equal(a, b);
        Assert.NotEqual(a["gt_latent/diversity/mean"], c["gt_latent/diversity/mean"]);

        string[] tasks = ["dog2cat", "wild2cat", "cat2dog", "wild2dog", "cat2wild", "dog2wild", "mean"];
        var latentKeys = new[] { "domain_acc", "content_err", "textured", "diversity" }.SelectMany(k => tasks.Select(t => $"gt_latent/{k}/{t}"));
        string[] fixedKeys = ["gt_data/style_spread", "gt_oracle/domain_acc", "gt_oracle/content_err", "gt_oracle/style_err", "gt_oracle/texture_acc"];
        Assert.Equal(latentKeys.Concat(fixedKeys).Order(), a.Keys.Order());
        var r = Eval(perfect, SyntheticGroundTruth.Reference, seed: 5);
        Assert.Contains("gt_reference/style_err/cat2dog", r.Keys);
        Assert.Contains("gt_reference/texture_acc/mean", r.Keys);
        Assert.Contains("gt_reference/texture_acc_vs_source/mean", r.Keys);
        Assert.Contains("gt_reference/textured/dog2wild", r.Keys);
        Assert.Equal(tasks.SkipLast(1).Average(t => a[$"gt_latent/content_err/{t}"]), a["gt_latent/content_err/mean"], 12);
    }

    [Fact]
    public void A_trained_run_is_evaluated_with_the_cached_oracle()
    {
        string root = TinyRuns.TempRoot();
        var cfg = TinyRuns.Config(root, totalIters: 1, saveEvery: 1);
        using (var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "m", false), _ => { }))
            s.Train([new CheckpointHook(1, 0)]);
        string cache = Path.Combine(root, "oracles");
        var set = SyntheticGroundTruth.DataOf(cfg);
        tiny.Oracle.Save(SyntheticOracle.CacheFile(cache, set, TinyOracle.Options));

        using var model = TrainedModel.Load(Path.Combine(root, "m"));
        var log = new List<string>();
        var metrics = SyntheticGroundTruth.Evaluate(model, SyntheticGroundTruth.Latent, 3, Small, cache, log.Add);
        Assert.Contains(log, l => l.StartsWith("oracle: loaded"));
        Assert.DoesNotContain(log, l => l.Contains("training a new one") || l.StartsWith("oracle: step"));
        Assert.InRange(metrics["gt_latent/domain_acc/mean"], 0, 1);
        Assert.Equal(tiny.Oracle.Quality.DomainAcc, metrics["gt_oracle/domain_acc"]);
    }

    [Fact]
    public void Bad_mode_and_non_synthetic_runs_are_refused_with_the_value_named()
    {
        var e = Assert.Throws<ArgumentException>(() => Eval(new PerfectTranslator(tiny.Set), "latnet"));
        Assert.Contains("'latnet'", e.Message);
        var cfg = TinyRuns.Config(TinyRuns.TempRoot(), 1) with { Data = new DataConfig(Source: "folder", Root: "/data/afhq") };
        e = Assert.Throws<ArgumentException>(() => SyntheticGroundTruth.DataOf(cfg));
        Assert.Contains("data.source: folder", e.Message);
        e = Assert.Throws<ArgumentException>(() => new GroundTruthOptions(SourcesPerDomain: 500, OutsPerInput: 1).Validate(tiny.Set));
        Assert.Contains("SourcesPerDomain=500", e.Message);
        Assert.Contains("OutsPerInput=1", e.Message);
    }

    [Fact]
    public void Pairwise_spread_is_the_mean_distance_over_distinct_pairs()
    {
        // One source, three outputs with 2-channel styles (0,0), (1,0), (1,1): pair distances 0.5, 1, 0.5.
        using var styles = tensor(new float[] { 0, 0, 1, 0, 1, 1 }, [3, 1, 2]);
        using var spread = FactorErrors.PairwiseSpread(styles);
        Assert.Equal(2.0 / 3, spread.item<float>(), 5);
    }

    static string Show(IReadOnlyDictionary<string, double> m) =>
        string.Join(", ", m.Where(kv => kv.Key.EndsWith("/mean")).Select(kv => $"{kv.Key} {kv.Value:0.000}"));
}
