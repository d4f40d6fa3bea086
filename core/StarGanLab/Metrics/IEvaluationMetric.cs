using StarGanLab.Runs;

namespace StarGanLab.Metrics;

/// <summary>A further source of numbers for an evaluation (e.g. the synthetic set's ground-truth metrics): called
/// once per mode and seed with the model being evaluated; its named values are reported, averaged over seeds and
/// written beside FID and LPIPS. Names should carry the mode, e.g. "gt_latent/domain_accuracy".</summary>
public interface IEvaluationMetric
{
    IReadOnlyDictionary<string, double> Evaluate(TrainedModel model, string mode, int seed);
}
