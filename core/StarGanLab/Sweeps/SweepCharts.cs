using System.Text;
using Microsoft.FSharp.Core;
using Plotly.NET;
using Plotly.NET.TraceObjects;
using StarGanLab.Reports;
using CSharpChart = Plotly.NET.CSharp.Chart;

namespace StarGanLab.Sweeps;

/// <summary>A sweep's results as charts and one offline HTML page: per metric, each variant's mean with its 95%
/// confidence interval and every finished seed's value beside it, so a difference between variants is seen against
/// the seed noise, never as two bare numbers.</summary>
public static class SweepCharts
{
    /// <summary>One metric across the variants that have it: the means with 95% t intervals (no bar for one seed),
    /// and each finished run's value as a small dot.</summary>
    public static GenericChart Metric(SweepSummary summary, string column)
    {
        var groups = summary.Variants.Where(g => g.Stats.ContainsKey(column)).ToList();
        if (groups.Count == 0) throw new ArgumentException($"no finished run of sweep {summary.Plan.Spec.Name} has a value for '{column}'", nameof(column));
        string[] labels = [.. groups.Select(g => g.Label)];
        double[] means = [.. groups.Select(g => g.Stats[column].Mean)];
        double[] halfWidths = [.. groups.Select(g => g.Stats[column].Ci95 ?? 0)];

        // Plotly.NET's F# optional arguments are all required from C#: None for every one not set.
        var error = Error.init<double, double>(
            FSharpOption<bool>.Some(true), FSharpOption<StyleParam.ErrorType>.Some(StyleParam.ErrorType.Data), FSharpOption<bool>.Some(true),
            FSharpOption<IEnumerable<double>>.Some(halfWidths), FSharpOption<IEnumerable<double>>.None,
            FSharpOption<EncodedTypedArray>.None, FSharpOption<EncodedTypedArray>.None, FSharpOption<double>.None, FSharpOption<double>.None,
            FSharpOption<int>.None, FSharpOption<int>.None, FSharpOption<bool>.None, FSharpOption<Color>.None,
            FSharpOption<double>.None, FSharpOption<double>.None);
        var meanTrace = Chart.withYError(error)
            .Invoke(CSharpChart.Point<string, double, string>(x: labels, y: means, Name: "mean, 95% CI"));
        var seeds = groups.SelectMany(g => g.FinishedValues(column).Select(v => (g.Label, Value: v))).ToList();
        var seedTrace = CSharpChart.Point<string, double, string>(
            x: seeds.Select(s => s.Label).ToArray(), y: seeds.Select(s => s.Value).ToArray(), Name: "seeds", Opacity: 0.45);
        var chart = Chart.withTitle(column, FSharpOption<Font>.None).Invoke(Chart.combine([meanTrace, seedTrace]));
        return Plotly.NET.CSharp.GenericChartExtensions.WithSize(chart, Width: 300 + 70 * labels.Length, Height: 360);
    }

    /// <summary>A page with the variants table (mean ± sd [95% CI]) of <paramref name="columns"/> and one
    /// <see cref="Metric"/> chart per column that has a value; <paramref name="intro"/> is plain text under the title.</summary>
    public static string Html(SweepSummary summary, IReadOnlyList<string> columns, string title, string intro)
    {
        var html = new StringBuilder(OfflineHtml.PageStart(title, intro));
        var present = SweepTable.Present(summary, columns);
        var rows = SweepTable.Rows(summary, present);
        html.Append(OfflineHtml.Table(rows[0], rows.Skip(1))).Append('\n');
        foreach (var c in present) html.Append(OfflineHtml.Chart(Metric(summary, c))).Append('\n');
        return html.Append(OfflineHtml.PageEnd).ToString();
    }

    /// <summary>Writes <see cref="Html"/> to <paramref name="path"/> atomically and returns the path.</summary>
    public static string WriteHtml(SweepSummary summary, IReadOnlyList<string> columns, string path, string title, string intro)
    {
        IO.AtomicFile.WriteAllText(path, Html(summary, columns, title, intro));
        return path;
    }
}
