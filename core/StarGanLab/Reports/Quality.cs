namespace StarGanLab.Reports;

/// <summary>A metric that says how good a run's translations are, and which way is better.</summary>
public sealed record QualityMetric(string Key, bool HigherIsBetter)
{
    public string Better => HigherIsBetter ? "higher" : "lower";
}

/// <summary>How runs are ranked by quality, wherever runs are compared (compare.fsx, the compare_runs notebook, sweep
/// summaries). Loss terms are not quality: a run with lambda_cyc 0 has the lowest cycle loss. So the rank is by an
/// evaluation metric of the runs' final results, the first of <see cref="Preference"/> that any run has, and when
/// none has one, there is no ranking and <see cref="NoneAvailable"/> says why.</summary>
public static class Quality
{
    /// <summary>FID first (the official Inception one, then the offline ResNet18 one; latent-guided, then
    /// reference-guided), then the synthetic set's ground truth: how far the output's style is from the reference's,
    /// and how often the output is in the target domain.</summary>
    public static readonly IReadOnlyList<QualityMetric> Preference =
    [
        new("FID_latent/mean", false), new("FID_reference/mean", false),
        new("fid_resnet18_latent/mean", false), new("fid_resnet18_reference/mean", false),
        new("gt_reference/style_err/mean", false), new("gt_latent/domain_acc/mean", true),
    ];

    public const string NoneAvailable =
        "no quality metric: none of these runs has been evaluated (FID, or the ground-truth scores on the synthetic set); " +
        "run `stargan eval --run DIR` or train with metrics.eval_at_end: true to rank them";

    /// <summary>The metric to rank <paramref name="runs"/> by, or null when none of them has one.</summary>
    public static QualityMetric? For(IEnumerable<FinalResults> runs) => For(runs.SelectMany(f => f.Metrics.Keys));

    /// <summary>The first metric of <see cref="Preference"/> among <paramref name="metricKeys"/>, or null.</summary>
    public static QualityMetric? For(IEnumerable<string> metricKeys)
    {
        var keys = metricKeys.ToHashSet();
        return Preference.FirstOrDefault(q => keys.Contains(q.Key));
    }

    /// <summary>Best first by <paramref name="metric"/>; runs without it last, in their given order.</summary>
    public static IReadOnlyList<T> Rank<T>(IEnumerable<T> runs, Func<T, FinalResults> final, QualityMetric metric)
    {
        var list = runs.ToList();
        var with = list.Where(r => final(r).Metrics.ContainsKey(metric.Key));
        var ranked = metric.HigherIsBetter ? with.OrderByDescending(r => final(r).Metrics[metric.Key]) : with.OrderBy(r => final(r).Metrics[metric.Key]);
        return [.. ranked, .. list.Where(r => !final(r).Metrics.ContainsKey(metric.Key))];
    }
}
