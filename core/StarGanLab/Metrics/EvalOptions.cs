using StarGanLab.Config;
using StarGanLab.Networks;

namespace StarGanLab.Metrics;

/// <summary>What one evaluation does (defaults from the run's config: metrics.*, train.val_batch_size, seed).</summary>
/// <param name="Modes">latent and/or reference.</param>
/// <param name="Seed">First seed; the protocol runs with Seed, Seed+1, ..., Seed+Seeds-1.</param>
/// <param name="Seeds">Number of seeds; mean and std (numpy's, ddof 0) are reported over them.</param>
/// <param name="NumOutsPerDomain">Outputs per source image (official 10).</param>
/// <param name="ValBatchSize">Source images per generator batch (official val_batch_size 32); also the reference
/// batch whose first N images give the styles.</param>
/// <param name="FeatureBatchSize">Real images per backbone forward.</param>
/// <param name="CacheDir">Real-statistics cache folder.</param>
/// <param name="Extra">Further metrics computed per mode and seed (see <see cref="IEvaluationMetric"/>).</param>
public sealed record EvalOptions(
    IReadOnlyList<string> Modes,
    int Seed,
    int Seeds,
    int NumOutsPerDomain,
    int ValBatchSize,
    int FeatureBatchSize,
    string CacheDir,
    IReadOnlyList<IEvaluationMetric>? Extra = null)
{
    /// <summary>The options the config selects; with metrics.ground_truth the synthetic ground-truth metrics are the
    /// first of <see cref="Extra"/> (same outputs per input as FID/LPIPS; the oracle cached in the cache folder).</summary>
    public static EvalOptions From(ExperimentConfig cfg, Action<string>? log = null)
    {
        string cache = cfg.Metrics.CacheDir.Length > 0 ? cfg.Metrics.CacheDir : RealStatsCache.DefaultDirectory;
        IReadOnlyList<IEvaluationMetric> extra = cfg.Metrics.GroundTruth
            ? [new GroundTruth.GroundTruthMetric(GroundTruth.GroundTruthMetric.OracleDirectory(cache),
                new GroundTruth.GroundTruthOptions(OutsPerInput: cfg.Metrics.NumOutsPerDomain), log)]
            : [];
        return new(ModesOf(cfg, log), cfg.Seed, cfg.Metrics.Seeds, cfg.Metrics.NumOutsPerDomain, cfg.Train.ValBatchSize,
                   cfg.Metrics.BatchSize, cache, extra);
    }

    /// <summary>metrics.modes, less the reference mode for a model without style codes (Table 1's A-D): a sweep over
    /// presets evaluates each in the modes it has, where a run that asked for both would otherwise fail at its end.
    /// Asking for the reference mode alone, or with --mode, still fails in <see cref="Evaluation.Run(Runs.TrainedModel, EvalOptions, Action{string}?)"/>,
    /// naming the model.</summary>
    static IReadOnlyList<string> ModesOf(ExperimentConfig cfg, Action<string>? log)
    {
        var modes = EvalModes.Parse(cfg.Metrics.Modes);
        if (cfg.Model.HasReferences() || !modes.Contains(EvalModes.Reference) || modes.Count == 1) return modes;
        log?.Invoke($"evaluating the latent mode only: {cfg.Model.Describe()} has no style encoder, so no reference-guided synthesis (metrics.modes lists both)");
        return [.. modes.Where(m => m != EvalModes.Reference)];
    }

    public IReadOnlyList<int> SeedList => Enumerable.Range(Seed, Seeds).ToList();
}

/// <summary>The numbers of one mode at one step: per seed, and their mean and std under the same names
/// (e.g. "fid_resnet18_latent/cat2dog"), in the official order (per task, then mean).</summary>
public sealed record EvalResult(
    long Step,
    string Mode,
    IReadOnlyList<int> Seeds,
    IReadOnlyList<IReadOnlyDictionary<string, double>> PerSeed,
    IReadOnlyDictionary<string, double> Mean,
    IReadOnlyDictionary<string, double> Std);
