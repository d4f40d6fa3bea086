using StarGanLab.Runs;

namespace StarGanLab.Metrics.GroundTruth;

/// <summary>The synthetic set's ground-truth metrics as one more metric of an evaluation (stargan eval, eval_every):
/// metrics.ground_truth adds it, so their values land in metrics.jsonl, eval/extra_*.json and the tracker beside
/// FID and LPIPS. The oracle is cached under <paramref name="cacheDir"/> and trained once per data set.</summary>
public sealed class GroundTruthMetric(string cacheDir, GroundTruthOptions? options = null, Action<string>? log = null) : IEvaluationMetric
{
    /// <summary>Where the oracles live inside an evaluation cache folder.</summary>
    public static string OracleDirectory(string evalCacheDir) => Path.Combine(evalCacheDir, "oracles");

    public IReadOnlyDictionary<string, double> Evaluate(TrainedModel model, string mode, int seed) =>
        SyntheticGroundTruth.Evaluate(model, mode, seed, options, cacheDir, log);
}
