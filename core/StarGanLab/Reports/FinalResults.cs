namespace StarGanLab.Reports;

/// <summary>A run's final results, defined once for reports, notebooks, the F# scripts and sweep summaries: the
/// evaluation metrics of the last evaluated step (metrics.jsonl), and each loss term's last logged value.</summary>
/// <param name="EvaluatedStep">The last step with an evaluation; null when the run was never evaluated.</param>
public sealed record FinalResults(long? EvaluatedStep, IReadOnlyDictionary<string, double> Metrics, long LossStep, IReadOnlyDictionary<string, double> Losses)
{
    /// <summary>A metric of the last evaluation, else a loss term's last value, else null.</summary>
    public double? this[string key] => Metrics.TryGetValue(key, out var m) ? m : Losses.TryGetValue(key, out var l) ? l : null;

    public static FinalResults Of(ScalarLog metrics, ScalarLog losses)
    {
        long? evaluated = metrics.Series.Count == 0 ? null : metrics.Series.Max(s => s.LastStep);
        // Only the series evaluated at that step: an older evaluation's metric is not a final result.
        var final = metrics.Series.Where(s => s.LastStep == evaluated).ToDictionary(s => s.Name, s => s.Last);
        long lossStep = losses.Series.Count == 0 ? 0 : losses.Series.Max(s => s.LastStep);
        return new FinalResults(evaluated, final, lossStep, losses.Series.ToDictionary(s => s.Name, s => s.Last));
    }
}
