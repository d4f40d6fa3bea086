using StarGanLab.Sweeps;
using Xunit;

namespace StarGanLab.Tests.Sweeps;

/// <summary>The sweep page: a table with intervals and one chart per metric, from prepared run folders.</summary>
public class SweepChartsTests
{
    static string Esc(string text) => StarGanLab.Reports.OfflineHtml.Escape(text);

    [Fact]
    public void The_page_has_the_interval_table_and_a_chart_per_present_metric_with_means_errors_and_seeds()
    {
        using var s = new SweepScratch(totalIters: 2);
        var plan = s.Plan("one_at_a_time: {loss.lambda_cyc: [0]}\nseeds: [1, 2, 3]\n");
        for (int i = 0; i < 3; i++) SweepSummaryTests.Prepare(plan, plan.Runs[i], 2, cyc: i + 1, fid: 10 * (i + 1));
        for (int i = 3; i < 6; i++) SweepSummaryTests.Prepare(plan, plan.Runs[i], 2, cyc: 7);
        var summary = SweepSummary.Build(plan);

        string path = SweepCharts.WriteHtml(summary, ["FID_latent/mean", "G/ref_cyc", "not/a_column"], Path.Combine(s.Dir, "t.html"), "Table <1>", "three seeds");
        string html = File.ReadAllText(path);
        Assert.Contains("<h1>Table &lt;1&gt;</h1>", html);
        Assert.Contains($"<td>{Esc("20 ± 10 [-4.842, 44.84]")}</td>", html);
        Assert.Contains($"<td>{Esc("7 ± 0 [7, 7]")}</td>", html);
        Assert.DoesNotContain("not/a_column", html);                       // no run has it: neither column nor chart
        Assert.Equal(2, html[html.IndexOf("</head>")..].Split("Plotly.newPlot(").Length - 1);   // after plotly.js itself
        var chart = SweepCharts.Metric(summary, "FID_latent/mean");
        string json = Plotly.NET.GenericChart.toChartHTML(chart);
        Assert.Contains("\"error_y\":{\"visible\":true,\"type\":\"data\",\"symmetric\":true,\"array\":[24.84", json);
        Assert.Contains("\"y\":[10.0,20.0,30.0]", json);                  // the three seeds, beside the mean
        var e = Assert.Throws<ArgumentException>(() => SweepCharts.Metric(summary, "not/a_column"));
        Assert.Contains("no finished run of sweep spec has a value for 'not/a_column'", e.Message);
    }

    [Fact]
    public void The_table_keeps_the_wanted_metrics_that_exist_in_order_with_a_note_on_its_sources()
    {
        using var s = new SweepScratch(totalIters: 2);
        var plan = s.Plan("seeds: [1, 2]\n");
        SweepSummaryTests.Prepare(plan, plan.Runs[0], 2, cyc: 1, fid: 10);
        SweepSummaryTests.Prepare(plan, plan.Runs[1], 2, cyc: 3, fid: 30);
        var summary = SweepSummary.Build(plan);
        var columns = SweepTable.Present(summary, ["G/ref_cyc", "gt_latent/diversity/mean", "FID_latent/mean"]);
        Assert.Equal(["G/ref_cyc", "FID_latent/mean"], columns);
        string md = SweepTable.Markdown(summary, columns, "T");
        Assert.StartsWith("# T\n\nspec: 2 runs (2 finished) under ", md);
        Assert.Contains("| variant | seeds | G/ref_cyc | FID_latent/mean |\n| --- | --- | --- | --- |\n| (base) | 2/2 | 2 ± 1.414 [-10.71, 14.71] | 20 ± 14.14 [-107.1, 147.1] |\n", md);
    }

    [Fact]
    public void The_svg_has_a_panel_per_present_metric_with_a_dot_per_seed_and_an_interval_per_variant()
    {
        using var s = new SweepScratch(totalIters: 2);
        var plan = s.Plan("one_at_a_time: {loss.lambda_cyc: [0]}\nseeds: [1, 2, 3]\n");
        for (int i = 0; i < 3; i++) SweepSummaryTests.Prepare(plan, plan.Runs[i], 2, cyc: i + 1, fid: 10 * (i + 1));
        SweepSummaryTests.Prepare(plan, plan.Runs[3], 2, cyc: 7);   // lambda_cyc=0: one seed, no interval
        var summary = SweepSummary.Build(plan);
        string svg = SweepSvg.Render(summary, ["FID_latent/mean", "G/ref_cyc", "absent"], "T <1>");
        Assert.StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"", svg);
        Assert.Contains(">T &lt;1&gt;</text>", svg);
        Assert.Contains(">FID_latent/mean</text>", svg);
        Assert.Contains(">G/ref_cyc</text>", svg);
        Assert.DoesNotContain("absent", svg);
        Assert.Equal(3 + 4, svg.Split("<circle").Length - 1);                 // FID: 3 seeds; cycle: 3 + 1
        Assert.Equal(2, svg.Split("stroke=\"#1f77b4\"").Length - 1);        // intervals: FID base, cycle base
        Assert.Throws<ArgumentException>(() => SweepSvg.Render(summary, ["absent"], "T"));
    }

    [Fact]
    public void Svg_labels_lose_the_prefix_all_variants_share()
    {
        Assert.Equal(["A", "B"], SweepSvg.ShortLabels(["ablation-A", "ablation-B"]).Values);
        Assert.Equal(["tiny", "tiny-lambda_cyc=0"], SweepSvg.ShortLabels(["tiny", "tiny-lambda_cyc=0"]).Values);
        Assert.Equal(["lr=1", "lr=2"], SweepSvg.ShortLabels(["q-lr=1", "q-lr=2"]).Values);
        Assert.Equal(["(base)"], SweepSvg.ShortLabels(["(base)"]).Values);
    }
}
