using System.Text;

namespace StarGanLab.Sweeps;

/// <summary>A sweep's results as one row per variant over chosen metrics (mean ± sd [95% CI] over seeds): what
/// experiments/table1.fsx prints and writes, and notebooks/sweep_table.ipynb shows.</summary>
public static class SweepTable
{
    /// <summary>The translation metrics, ground truth first (what a translation should be), then FID and LPIPS (the
    /// paper's; official Inception / AlexNet names, then the offline ResNet18 ones), each mode's mean over tasks.</summary>
    public static IReadOnlyList<string> TranslationMetrics { get; } =
    [
        "gt_latent/domain_acc/mean", "gt_reference/domain_acc/mean",
        "gt_latent/content_err/mean", "gt_reference/content_err/mean", "gt_reference/content_err_vs_ref/mean",
        "gt_reference/style_err/mean", "gt_reference/texture_acc/mean",
        "gt_reference/texture_acc_vs_source/mean", "gt_latent/textured/mean", "gt_reference/textured/mean",
        "gt_latent/diversity/mean", "gt_reference/diversity/mean",
        "FID_latent/mean", "FID_reference/mean", "LPIPS_latent/mean", "LPIPS_reference/mean",
        "fid_resnet18_latent/mean", "fid_resnet18_reference/mean", "lpips_resnet18_latent/mean", "lpips_resnet18_reference/mean",
    ];

    /// <summary>Those of <paramref name="wanted"/> that some finished run has, in that order.</summary>
    public static IReadOnlyList<string> Present(SweepSummary summary, IEnumerable<string> wanted) =>
        [.. wanted.Where(c => summary.Variants.Any(g => g.Stats.ContainsKey(c)))];

    /// <summary>The header (variant, seeds finished/planned, the columns) and one row per variant.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> Rows(SweepSummary summary, IReadOnlyList<string> columns) =>
    [
        ["variant", "seeds", .. columns],
        .. summary.Variants.Select(g => (IReadOnlyList<string>)[g.Label, $"{g.Finished}/{g.Rows.Count}",
            .. columns.Select(c => g.Stats.TryGetValue(c, out var s) ? SweepSummary.Format(s) : "")]),
    ];

    /// <summary>One line on where the numbers come from: runs, finished, root, statistics, the data's style spread.</summary>
    public static string Note(SweepSummary summary)
    {
        int finished = summary.Runs.Count(r => r.State == RunState.Finished);
        var spread = summary.Variants.Select(g => g.Stats.GetValueOrDefault("gt_data/style_spread")).FirstOrDefault(s => s is not null);
        return $"{summary.Plan.Spec.Name}: {summary.Runs.Count} runs ({finished} finished) under {summary.Plan.Folder.Root}; " +
               "mean ± sample std [95% t interval] over seeds of each run's final evaluation" +
               (spread is null ? "" : $"; the data's own style spread (gt_data/style_spread) is {spread.Mean:0.000}") + ".";
    }

    public static string Markdown(SweepSummary summary, IReadOnlyList<string> columns, string title)
    {
        var rows = Rows(summary, columns);
        var md = new StringBuilder($"# {title}\n\n{Note(summary)}\n\n");
        md.Append(Line(rows[0])).Append(Line(rows[0].Select(_ => "---").ToList()));
        foreach (var r in rows.Skip(1)) md.Append(Line(r));
        return md.ToString();
    }

    static string Line(IReadOnlyList<string> cells) => "| " + string.Join(" | ", cells.Select(c => c.Replace("|", "\\|"))) + " |\n";
}
