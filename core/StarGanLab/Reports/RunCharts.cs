using Microsoft.FSharp.Core;
using Plotly.NET;
using Plotly.NET.CSharp;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace StarGanLab.Reports;

/// <summary>Plotly.NET charts of runs: loss terms, timing and metrics vs step for one run, one scalar across
/// runs. Charts carry no plotly.js reference; <see cref="OfflineHtml"/> places them in a page with it inline.</summary>
public static class RunCharts
{
    public const string SecondsPerIter = "s_per_iter";
    public const string DataWaitPerIter = "data_wait_s_per_iter";

    /// <summary>Discriminator terms (D/latent_*, D/ref_*: real, fake, R1 reg), official eq. 1 and 3.</summary>
    public static GenericChart DiscriminatorLosses(RunResults run) =>
        Lines("discriminator losses", run.Losses.WithPrefix("D/"), "loss");

    /// <summary>Generator terms (G/latent_*, G/ref_*: adv, sty, ds, cyc) and the lambda_ds schedule, eq. 2-5.</summary>
    public static GenericChart GeneratorLosses(RunResults run) =>
        Lines("generator losses", run.Losses.WithPrefix("G/"), "loss");

    /// <summary>Seconds per iteration and the part of it spent waiting for data.</summary>
    public static GenericChart Timing(RunResults run) =>
        Lines("seconds per iteration", [.. new[] { run.Losses[SecondsPerIter], run.Losses[DataWaitPerIter] }.OfType<ScalarSeries>()], "s/iter");

    /// <summary>Evaluation metrics (metrics.jsonl), one chart per metric: its tasks and their mean ("FID_latent/cat2dog",
    /// ..., "FID_latent/mean") share a panel and a scale, and FID (tens) never shares an axis with LPIPS (tenths) or a
    /// ground-truth accuracy. Empty when the run has no evaluation.</summary>
    public static IReadOnlyList<GenericChart> Metrics(RunResults run) =>
        run.Metrics.Series.GroupBy(s => MetricOf(s.Name)).Select(g => Lines(g.Key, g, g.Key)).ToList();

    /// <summary>"FID_latent/cat2dog" and "FID_latent/mean": "FID_latent"; "gt_reference/style_err/mean": "gt_reference/style_err".</summary>
    public static string MetricOf(string seriesName) =>
        seriesName.LastIndexOf('/') is var slash and > 0 ? seriesName[..slash] : seriesName;

    /// <summary>One scalar (a loss term, s_per_iter or a metric) across runs, one line per run named after it.</summary>
    public static GenericChart Across(IEnumerable<RunResults> runs, string key) =>
        Lines(key, runs.Select(r => (r.Losses[key] ?? r.Metrics[key]) is { } s ? s with { Name = r.Name } : null).OfType<ScalarSeries>(), key);

    /// <summary>Line chart of <paramref name="series"/> vs step, one named trace each.</summary>
    public static GenericChart Lines(string title, IEnumerable<ScalarSeries> series, string yTitle)
    {
        var traces = series.Select(s => CSharpChart.Line<long, double, string>(
            x: s.Steps.ToArray(), y: s.Values.ToArray(), Name: s.Name, ShowMarkers: s.Steps.Count < 50)).ToList();
        if (traces.Count == 0) throw new ArgumentException($"chart '{title}' has no series to draw");
        var chart = Plotly.NET.Chart.withTitle(title, FSharpOption<Font>.None).Invoke(Plotly.NET.Chart.combine(traces));
        return chart.WithXAxisStyle<long, long, string>(TitleText: "step")
                    .WithYAxisStyle<double, double, string>(TitleText: yTitle)
                    .WithSize(Width: 900, Height: 420);
    }
}
