using System.Diagnostics;
using StarGanLab.Data;
using StarGanLab.Networks;
using StarGanLab.Runs;
using StarGanLab.Training;
using TorchSharp;
using static TorchSharp.torch;
using StarGanLab.Config;

namespace StarGanLab.Metrics;

/// <summary>FID and LPIPS with the official protocol (stargan-v2 metrics/eval.py), in memory.</summary>
/// <remarks>For each target domain and each other source domain: every validation image of the source is translated
/// num_outs_per_domain times (latent: z ~ N(0, I) through the mapping network; reference: styles of the target's
/// validation images, one reference batch per output, cycling), LPIPS is the mean pairwise distance among the outputs
/// of each batch averaged over batches, and FID compares the outputs with the target's TRAINING images.
/// Where we differ: the official writes the fakes as PNG and re-reads them; we quantise them to the same 8-bit values
/// in memory (<see cref="EvalPixels.ToBytes"/>) and resize with torch's bilinear rounded to 8 bits instead of PIL's
/// fixed-point bilinear (differences of one grey level at some pixels). The official loaders shuffle sources and
/// references with the global RNG; we take them in order and draw z from a generator seeded per evaluation, so the
/// same seed gives the same numbers.</remarks>
public static class Evaluation
{
    /// <summary>Evaluates <paramref name="model"/> with the metrics its config selects (metrics.backbone).</summary>
    public static IReadOnlyList<EvalResult> Run(TrainedModel model, EvalOptions options, Action<string>? log = null)
    {
        using var suite = MetricSuite.Open(model.Config.Metrics, model.Device, model.Config.Threads);
        return Run(model, suite, options, log);
    }

    public static IReadOnlyList<EvalResult> Run(TrainedModel model, MetricSuite suite, EvalOptions options, Action<string>? log = null)
    {
        log ??= _ => { };
        var cfg = model.Config;
        if (options.Modes.Contains(EvalModes.Reference) && !cfg.Model.HasReferences())
            throw new ArgumentException($"the reference mode needs domain-specific style codes (model.style_source style); this model has {cfg.Model.Describe()}: evaluate with --mode latent");
        var (train, val) = DataSources.Open(cfg, log);
        DataSources.CheckDomains(cfg, train);
        var domains = train.DomainNames;
        int imgSize = cfg.Model.ImgSize;
        for (int d = 0; d < domains.Count; d++)
            if (val.Count(d) == 0) throw new DataException($"domain '{domains[d]}' has no validation images to evaluate on");

        if (suite.IsEmpty && (options.Extra ?? []).Count == 0)
            throw new ArgumentException("metrics.backbone is none and no other metric applies (metrics.ground_truth needs data.source: synthetic): nothing to evaluate");
        var cache = new RealStatsCache(options.CacheDir);
        var real = suite.Backbone is not { } backbone ? []
            : Enumerable.Range(0, domains.Count).Select(d => cache.Get(train, d, imgSize, backbone, options.FeatureBatchSize, log)).ToList();
        var valImages = Enumerable.Range(0, domains.Count).Select(d => EvalImages.LoadAll(val, d, imgSize).to(model.Device)).ToList();
        try
        {
            var results = new List<EvalResult>();
            foreach (var mode in options.Modes)
            {
                var perSeed = new List<IReadOnlyDictionary<string, double>>();
                foreach (int seed in options.SeedList)
                {
                    var clock = Stopwatch.StartNew();
                    var values = suite.IsEmpty ? new OrderedDictionary<string, double>()
                        : OneSeed(model, suite, options, mode, seed, domains, real, valImages, log);
                    foreach (var extra in options.Extra ?? [])
                        foreach (var (k, v) in extra.Evaluate(model, mode, seed)) values[k] = v;
                    if (!suite.IsEmpty)
                        log($"{mode} seed {seed}: {suite.FidName}_{mode}/mean {values[$"{suite.FidName}_{mode}/mean"]:F3}, " +
                            $"{suite.LpipsName}_{mode}/mean {values[$"{suite.LpipsName}_{mode}/mean"]:F4} ({clock.Elapsed.TotalSeconds:F0} s)");
                    else log($"{mode} seed {seed}: {values.Count} values ({clock.Elapsed.TotalSeconds:F0} s)");
                    perSeed.Add(values);
                }
                var keys = perSeed[0].Keys.ToList();
                var mean = keys.ToDictionary(k => k, k => perSeed.Average(s => s[k]));
                var std = keys.ToDictionary(k => k, k => Math.Sqrt(perSeed.Average(s => Math.Pow(s[k] - mean[k], 2))));
                results.Add(new EvalResult(model.Step, mode, options.SeedList, perSeed, Ordered(keys, mean), Ordered(keys, std)));
            }
            return results;
        }
        finally
        {
            foreach (var t in valImages) t.Dispose();
            foreach (var s in real) s.Dispose();
        }
    }

    static OrderedDictionary<string, double> Ordered(IEnumerable<string> keys, IReadOnlyDictionary<string, double> values)
    {
        var o = new OrderedDictionary<string, double>();
        foreach (var k in keys) o[k] = values[k];
        return o;
    }

    /// <summary>One pass of the protocol: "{FID}_{mode}/{src}2{trg}", then "{LPIPS}_{mode}/{src}2{trg}" and their means.</summary>
    static OrderedDictionary<string, double> OneSeed(TrainedModel model, MetricSuite suite, EvalOptions o, string mode, int seed,
                                                      IReadOnlyList<string> domains, IReadOnlyList<FeatureStats> real,
                                                      IReadOnlyList<Tensor> valImages, Action<string> log)
    {
        using var _ = no_grad();
        var nets = model.Nets;
        using var rng = new torch.Generator((ulong)seed);   // CPU generator: the same z on any device
        var fid = new OrderedDictionary<string, double>();
        var lpips = new OrderedDictionary<string, double>();
        for (int trg = 0; trg < domains.Count; trg++)
        {
            var refs = valImages[trg];
            long refCursor = 0;   // the official keeps one reference iterator per target domain across its sources
            for (int src = 0; src < domains.Count; src++)
            {
                if (src == trg) continue;
                string task = $"{domains[src]}2{domains[trg]}";
                var xAll = valImages[src];
                var features = new List<Tensor>();
                var lpipsValues = new List<double>();
                try
                {
                    for (long start = 0; start < xAll.size(0); start += o.ValBatchSize)
                    {
                        using var scope = NewDisposeScope();
                        using var gcHeldOff = new Native.NoGcRegion();   // TorchSharp's implicit Scalars race the finalizer (see NoGcRegion)
                        var xSrc = xAll.narrow(0, start, Math.Min(o.ValBatchSize, xAll.size(0) - start));
                        long n = xSrc.size(0);
                        var yTrg = full(n, trg, dtype: int64, device: model.Device);
                        var masks = model.Masker?.Masks(xSrc);
                        var group = new List<Tensor>();
                        var groupFeatures = new List<Tensor>();
                        GeneratorContent? content = null;   // the sources' encoding, shared by their outputs
                        for (int j = 0; j < o.NumOutsPerDomain; j++)
                        {
                            Tensor sTrg;
                            if (mode == EvalModes.Latent)
                                sTrg = nets.LatentStyle(randn([n, model.Config.Model.LatentDim], generator: rng).to(model.Device), yTrg);
                            else
                            {
                                sTrg = nets.ReferenceStyle(refs.index_select(0, ReferenceIndices(refCursor, n, refs.size(0), o.ValBatchSize).to(model.Device)), yTrg);
                                refCursor += o.ValBatchSize;
                            }
                            var xFake = nets.Generator.forward(xSrc, sTrg, masks, ref content);
                            group.Add(xFake);
                            var f = suite.Backbone!.Features(EvalPixels.ToBytes(xFake));
                            groupFeatures.Add(f);
                            features.Add(f.clone().MoveToOuterDisposeScope());
                        }
                        lpipsValues.Add(suite.Diversity!.GroupDistance(group, groupFeatures));
                    }
                    using var all = cat(features, 0);
                    using var fake = FeatureStats.Of(all);
                    fid[$"{suite.FidName}_{mode}/{task}"] = FrechetDistance.Compute(real[trg], fake);
                    lpips[$"{suite.LpipsName}_{mode}/{task}"] = lpipsValues.Average();
                    log($"  {task}: {suite.FidName} {fid[$"{suite.FidName}_{mode}/{task}"]:F3}, {suite.LpipsName} {lpipsValues.Average():F4}");
                }
                finally
                {
                    foreach (var f in features) f.Dispose();
                }
            }
        }
        var result = new OrderedDictionary<string, double>();
        foreach (var (k, v) in fid) result[k] = v;
        result[$"{suite.FidName}_{mode}/mean"] = fid.Values.Average();
        foreach (var (k, v) in lpips) result[k] = v;
        result[$"{suite.LpipsName}_{mode}/mean"] = lpips.Values.Average();
        return result;
    }

    /// <summary>Reference images for the request starting at <paramref name="cursor"/>: the official draws one batch
    /// of batchSize references per output (drop_last, so every batch is full) and keeps its first n. In order, that is
    /// images cursor..cursor+n-1 of the full batches, wrapping around; a domain with fewer references than one batch
    /// cycles through all of them.</summary>
    internal static Tensor ReferenceIndices(long cursor, long n, long count, int batchSize)
    {
        long usable = count >= batchSize ? count / batchSize * batchSize : count;
        return arange(cursor, cursor + n, dtype: int64).remainder(usable);
    }
}
