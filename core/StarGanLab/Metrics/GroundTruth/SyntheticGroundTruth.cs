using System.Diagnostics;
using StarGanLab.Config;
using StarGanLab.Data;
using StarGanLab.Networks;
using StarGanLab.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Metrics.GroundTruth;

/// <summary>
/// Ground-truth metrics on the embedded synthetic set (DESIGN.md section 5; docs/evaluation.md "Ground-truth metrics"). Follows
/// the official evaluation's protocol: every task src2trg (each source domain into each other domain), the first
/// <see cref="GroundTruthOptions.SourcesPerDomain"/> validation images of the source domain, <see cref="GroundTruthOptions.OutsPerInput"/>
/// outputs per image (fresh latent codes, or fresh target-domain references). A <see cref="SyntheticOracle"/> reads
/// every output's domain, content and style, which are compared with what they should be:
/// <list type="bullet">
/// <item><c>gt_MODE/domain_acc</c>: fraction of outputs the oracle classifies as the target domain (1 is perfect).</item>
/// <item><c>gt_MODE/content_err</c>: mean absolute error of the output's x, y, scale, tilt (each normalised to [0, 1]
/// over its range) against the source's (0 is perfect; a constant guess scores 0.25).</item>
/// <item><c>gt_reference/content_err_vs_ref</c>: the same error against the reference's content instead: a translator
/// that keeps the source's pose scores what two unrelated images would (about 1/3), one whose output copies the
/// reference's pose (the style code carrying content) scores near the oracle's floor.</item>
/// <item><c>gt_reference/style_err</c>: mean absolute error of the output's fur and background RGB against the
/// reference's; <c>gt_reference/texture_acc</c>: fraction with the reference's texture kind.</item>
/// <item><c>gt_reference/texture_acc_vs_source</c>: fraction with the source's texture kind instead (a third for a
/// translator that ignores the source's texture; near 1 when the texture passes through the content path), and
/// <c>gt_MODE/textured</c>: fraction the oracle reads as striped or spotted (two thirds of the data; near 0 for a
/// generator that draws no texture). Together they say where a texture accuracy at chance comes from.</item>
/// <item><c>gt_MODE/diversity</c>: per source, the mean over pairs of its outputs of the mean absolute difference of
/// their predicted style (fur and background RGB), averaged over sources. 0 is one style for all codes; compare with
/// <c>gt_data/style_spread</c>, the same statistic over the true styles of the validation images of a domain.</item>
/// </list>
/// Each is reported per task (<c>/cat2dog</c>) and as the mean over tasks (<c>/mean</c>); <c>gt_oracle/*</c> are the
/// oracle's own errors on held-out renders, the floor of the metrics. Same seed and options, same numbers.
/// </summary>
public static class SyntheticGroundTruth
{
    public const string Latent = "latent", Reference = "reference";
    public static IReadOnlyList<string> Modes { get; } = [Latent, Reference];

    // Keys of the per-task random streams, apart from each other and from every other use of the seed.
    const long LatentStream = 0x67746C, ReferenceStream = 0x677472;

    /// <summary>The synthetic set a run trains on (as Data.DataSources opens it); an error for other data.</summary>
    public static SyntheticDomains DataOf(ExperimentConfig cfg)
    {
        var d = cfg.Data;
        if (d.Source != "synthetic")
            throw new ArgumentException($"ground-truth metrics need the synthetic data set (data.source: synthetic), this run has data.source: {d.Source}");
        if (d.SyntheticDomains != cfg.Model.NumDomains)
            throw new ArgumentException($"data.synthetic_domains is {d.SyntheticDomains} but model.num_domains is {cfg.Model.NumDomains}");
        return Data.DataSources.SyntheticSet(cfg);
    }

    /// <summary>Evaluates a trained run's EMA networks; the oracle is loaded from (or trained into) <paramref name="cacheDir"/>.</summary>
    public static IReadOnlyDictionary<string, double> Evaluate(TrainedModel model, string mode, long seed, GroundTruthOptions? options,
                                                               string cacheDir, Action<string>? log = null)
    {
        var o = options ?? new GroundTruthOptions();
        var set = DataOf(model.Config);
        o.Validate(set);
        CheckMode(mode);
        if (mode == Reference && !model.Config.Model.HasReferences())
            throw new ArgumentException($"reference mode needs domain-specific style codes (model.style_source: style); {model.Run.Path} has {model.Config.Model.Describe()}");
        using var oracle = SyntheticOracle.LoadOrTrain(set, o.Oracle, cacheDir, log);
        return Evaluate(ModelTranslator.Of(model), set, oracle, mode, seed, o, log);
    }

    /// <summary>Evaluates any translator of <paramref name="set"/>'s images with an oracle trained for that set.</summary>
    public static IReadOnlyDictionary<string, double> Evaluate(IGroundTruthTranslator translator, SyntheticDomains set, SyntheticOracle oracle,
                                                               string mode, long seed, GroundTruthOptions? options = null, Action<string>? log = null)
    {
        var o = options ?? new GroundTruthOptions();
        o.Validate(set);
        CheckMode(mode);
        if (oracle.Key != SyntheticOracle.KeyFor(set, oracle.Options))
            throw new ArgumentException($"the oracle was trained for {oracle.Key}, not for this synthetic set ({SyntheticOracle.KeyFor(set, oracle.Options)})");
        log ??= _ => { };
        var clock = Stopwatch.StartNew();
        bool reference = mode == Reference;
        var names = set.DomainNames;
        var tasks = new List<(string Name, TaskScores Scores)>();
        for (int trg = 0; trg < names.Count; trg++)
            for (int src = 0; src < names.Count; src++)
            {
                if (src == trg) continue;
                var scores = RunTask(translator, set, oracle, src, trg, reference, seed, o);
                tasks.Add(($"{names[src]}2{names[trg]}", scores));
                log($"ground truth ({mode}) {tasks[^1].Name}: domain acc {scores.DomainAcc:0.000}, content err {scores.ContentErr:0.0000}" +
                    (reference ? $", style err {scores.StyleErr:0.0000}, texture acc {scores.TextureAcc:0.000}" : "") + $", diversity {scores.Diversity:0.0000}");
            }

        var metrics = new Dictionary<string, double>();
        void Add(string metric, Func<TaskScores, double> value)
        {
            foreach (var (name, scores) in tasks) metrics[$"gt_{mode}/{metric}/{name}"] = value(scores);
            metrics[$"gt_{mode}/{metric}/mean"] = tasks.Average(t => value(t.Scores));
        }
        Add("domain_acc", s => s.DomainAcc);
        Add("content_err", s => s.ContentErr);
        if (reference)
        {
            Add("content_err_vs_ref", s => s.ContentErrVsRef);
            Add("style_err", s => s.StyleErr);
            Add("texture_acc", s => s.TextureAcc);
            Add("texture_acc_vs_source", s => s.TextureAccVsSource);
        }
        Add("textured", s => s.Textured);
        Add("diversity", s => s.Diversity);
        metrics["gt_data/style_spread"] = DataStyleSpread(set, o.SourcesPerDomain);
        var q = oracle.Quality;
        metrics["gt_oracle/domain_acc"] = q.DomainAcc;
        metrics["gt_oracle/content_err"] = q.ContentErr;
        metrics["gt_oracle/style_err"] = q.StyleErr;
        metrics["gt_oracle/texture_acc"] = q.TextureAcc;
        log($"ground truth ({mode}): {tasks.Count} tasks x {o.SourcesPerDomain} sources x {o.OutsPerInput} outputs in {clock.Elapsed.TotalSeconds:0.0} s; " +
            $"mean domain acc {metrics[$"gt_{mode}/domain_acc/mean"]:0.000}, content err {metrics[$"gt_{mode}/content_err/mean"]:0.0000}" +
            (reference ? $", style err {metrics["gt_reference/style_err/mean"]:0.0000}" : "") + $", diversity {metrics[$"gt_{mode}/diversity/mean"]:0.0000}");
        return metrics;
    }

    static TaskScores RunTask(IGroundTruthTranslator translator, SyntheticDomains set, SyntheticOracle oracle, int src, int trg,
                              bool reference, long seed, GroundTruthOptions o)
    {
        var scores = new TaskScores();
        // One stream per task and mode: a task's numbers do not depend on which other tasks ran before it.
        var codes = new torch.Generator(DataRng.For(seed, LatentStream, reference ? 1 : 0, src, trg).NextULong());
        var refs = new ReferenceCycle(o.SourcesPerDomain, DataRng.For(seed, ReferenceStream, src, trg));
        for (int start = 0; start < o.SourcesPerDomain; start += o.BatchSize)
        {
            int n = Math.Min(o.BatchSize, o.SourcesPerDomain - start);
            var srcFactors = Enumerable.Range(start, n).Select(i => set.Factors(src, i, Split.Val)).ToArray();
            using var scope = NewDisposeScope();
            using var gcHeldOff = new Native.NoGcRegion();   // TorchSharp's implicit Scalars race the finalizer (see NoGcRegion)
            var xSrc = Renders.Images(set, srcFactors.Select(f => new Rendering(src, f)).ToArray());
            var source = KnownFactors.Of(srcFactors);
            var styles = new List<Tensor>();
            for (int j = 0; j < o.OutsPerInput; j++)
            {
                SyntheticFactors[]? refFactors = reference ? refs.Next(n).Select(i => set.Factors(trg, i, Split.Val)).ToArray() : null;
                var xRef = refFactors is null ? null : Renders.Images(set, refFactors.Select(f => new Rendering(trg, f)).ToArray());
                var fake = translator.Translate(new TranslationRequest(xSrc, srcFactors, src, trg, xRef, refFactors, codes));
                // As the official saves outputs as images: whatever leaves [-1, 1] is clipped before it is judged.
                using var p = oracle.Predict(fake.clamp(-1, 1));
                scores.AddOutputs(p, trg, source, refFactors is null ? null : KnownFactors.Of(refFactors));
                styles.Add(p.Style.alias());
            }
            scores.AddSpread(stack(styles.ToArray()));
        }
        return scores;
    }

    /// <summary>The diversity statistic over the true styles of the first <paramref name="perDomain"/> validation images
    /// of each domain, averaged over domains: what a translator whose styles vary as the data's do would score.</summary>
    public static double DataStyleSpread(SyntheticDomains set, int perDomain)
    {
        using var scope = NewDisposeScope();
        if (perDomain < 2) return double.NaN;
        return Enumerable.Range(0, set.DomainNames.Count).Average(d =>
        {
            var styles = Renders.Style(Enumerable.Range(0, perDomain).Select(i => set.Factors(d, i, Split.Val)));
            return FactorErrors.PairwiseSpread(styles.unsqueeze(1)).item<float>();
        });
    }

    static void CheckMode(string mode)
    {
        if (!Modes.Contains(mode)) throw new ArgumentException($"mode must be one of {string.Join(", ", Modes)}, got '{mode}'");
    }

    /// <summary>Target-domain references in a seeded random order, reshuffled after each pass, as the official
    /// evaluation cycles a shuffled loader of the target domain's validation images.</summary>
    sealed class ReferenceCycle(int count, DataRng seeded)
    {
        readonly int[] order = Enumerable.Range(0, count).ToArray();
        int pos = count;   // start with a shuffle
        DataRng rng = seeded;

        public int[] Next(int n)
        {
            var picks = new int[n];
            for (int k = 0; k < n; k++)
            {
                if (pos == order.Length)
                {
                    for (int i = order.Length - 1; i > 0; i--)
                    {
                        int j = rng.NextInt(i + 1);
                        (order[i], order[j]) = (order[j], order[i]);
                    }
                    pos = 0;
                }
                picks[k] = order[pos++];
            }
            return picks;
        }
    }
}
