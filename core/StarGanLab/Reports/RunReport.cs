using System.Globalization;
using System.Text;
using StarGanLab.Runs;

namespace StarGanLab.Reports;

/// <summary>runs/NAME/report.html: one self-contained page per run for readers without MLflow or Jupyter. Loss
/// curves (D and G terms) and seconds per iteration vs step from losses.jsonl, metric curves from metrics.jsonl
/// when present, the newest sample grids as embedded PNGs, and the resolved config. plotly.js is inline once and
/// nothing is fetched, so the file opens offline and can be mailed or archived as it is.</summary>
public static class RunReport
{
    public const string FileName = "report.html";

    /// <summary>Writes the report of the run in <paramref name="runDirectory"/> (atomically) and returns its path.</summary>
    public static string Write(string runDirectory)
    {
        var results = RunResults.Load(runDirectory);
        results.Run.WriteText(FileName, Render(results));
        return Path.Combine(results.Run.Path, FileName);
    }

    public static string Write(RunDirectory run) => Write(run.Path);

    public static string Render(RunResults run)
    {
        var html = new StringBuilder();
        string title = $"StarGAN v2 run {run.Name}";
        html.Append(OfflineHtml.PageStart(title, Summary(run)));

        html.Append("<h2>Losses</h2>\n");
        if (run.Losses.Series.Count == 0)
            html.Append("<p class=\"note\">losses.jsonl is missing or empty: no step has been logged yet.</p>\n");
        else
        {
            html.Append(OfflineHtml.Chart(RunCharts.DiscriminatorLosses(run))).Append('\n');
            html.Append(OfflineHtml.Chart(RunCharts.GeneratorLosses(run))).Append('\n');
            html.Append("<h2>Speed</h2>\n").Append(OfflineHtml.Chart(RunCharts.Timing(run))).Append('\n');
        }

        if (RunCharts.Metrics(run) is { Count: > 0 } metrics)
        {
            html.Append("<h2>Metrics</h2>\n").Append(FinalTable(run)).Append('\n');
            foreach (var chart in metrics) html.Append(OfflineHtml.Chart(chart)).Append('\n');
        }

        html.Append("<h2>Samples</h2>\n");
        if (run.NewestSamples.Count == 0)
            html.Append("<p class=\"note\">no sample grids yet.</p>\n");
        else
            foreach (var png in run.NewestSamples) html.Append(OfflineHtml.Image(png, SampleScale(run))).Append('\n');

        html.Append("<h2>Resolved config</h2>\n").Append(OfflineHtml.Preformatted(run.ConfigYaml)).Append('\n');
        html.Append(OfflineHtml.PageEnd);
        return html.ToString();
    }

    /// <summary>The final evaluation (<see cref="RunResults.Final"/>): every "/mean" metric of the last evaluated step.</summary>
    static string FinalTable(RunResults run)
    {
        var f = run.Final;
        var means = f.Metrics.Where(m => m.Key.EndsWith("/mean", StringComparison.Ordinal)).ToList();
        var rows = means.Select(m => (IReadOnlyList<string>)[m.Key, m.Value.ToString("G5", System.Globalization.CultureInfo.InvariantCulture)]);
        return $"<p class=\"note\">final: the evaluation of step {f.EvaluatedStep}</p>\n" + OfflineHtml.Table(["metric", "value"], rows);
    }

    /// <summary>Grids of images up to 64 px are drawn at twice their size.</summary>
    public static double SampleScale(RunResults run) => run.Config.Model.ImgSize <= 64 ? 2 : 1;

    static string Summary(RunResults run)
    {
        var c = run.Config;
        string speed = run.Losses[RunCharts.SecondsPerIter] is { } s ? $", last {s.Last.ToString("0.###", CultureInfo.InvariantCulture)} s/iter" : "";
        return $"{run.Run.Path}: step {run.LastStep} of {c.Train.TotalIters}{speed}; {c.Model.ImgSize} px, {c.Model.NumDomains} domains, " +
               $"batch {c.Train.BatchSize}; written {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC";
    }
}
