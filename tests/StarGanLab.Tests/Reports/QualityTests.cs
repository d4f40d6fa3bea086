using StarGanLab.Reports;
using Xunit;

namespace StarGanLab.Tests.Reports;

/// <summary>"Final" and "quality", defined once: what compare.fsx, the compare_runs notebook, reports and sweep
/// summaries rank and show.</summary>
public class QualityTests
{
    static FinalResults Final(string metrics, string losses) =>
        FinalResults.Of(ScalarLog.Parse(metrics, "metrics.jsonl"), ScalarLog.Parse(losses, "losses.jsonl"));

    const string Losses = "{\"step\": 10, \"G/ref_cyc\": 0.5}\n{\"step\": 20, \"G/ref_cyc\": 0.4}\n";

    [Fact]
    public void Final_metrics_are_those_of_the_last_evaluated_step_only()
    {
        var f = Final("{\"step\": 10, \"FID_latent/mean\": 50, \"LPIPS_latent/mean\": 0.2}\n{\"step\": 20, \"FID_latent/mean\": 40}\n", Losses);
        Assert.Equal(20, f.EvaluatedStep);
        Assert.Equal(new Dictionary<string, double> { ["FID_latent/mean"] = 40 }, f.Metrics);   // LPIPS was not evaluated at 20
        Assert.Equal((20L, 0.4), (f.LossStep, f["G/ref_cyc"]!.Value));
        Assert.Null(Final("", Losses).EvaluatedStep);
    }

    [Fact]
    public void Runs_rank_by_FID_before_ground_truth_and_never_by_a_loss()
    {
        var a = Final("{\"step\": 20, \"FID_latent/mean\": 40, \"gt_reference/style_err/mean\": 0.3}\n", Losses);
        var b = Final("{\"step\": 20, \"FID_latent/mean\": 30, \"gt_reference/style_err/mean\": 0.5}\n", Losses);
        var c = Final("", "{\"step\": 20, \"G/ref_cyc\": 0}\n");   // lambda_cyc 0: the lowest cycle loss, no evaluation
        var q = Quality.For([a, b, c])!;
        Assert.Equal(("FID_latent/mean", false), (q.Key, q.HigherIsBetter));
        Assert.Equal([b, a, c], Quality.Rank([a, b, c], f => f, q));   // unevaluated last

        var gtOnly = Quality.For([Final("{\"step\": 5, \"gt_reference/style_err/mean\": 0.3, \"gt_latent/domain_acc/mean\": 0.9}\n", Losses)])!;
        Assert.Equal("gt_reference/style_err/mean", gtOnly.Key);
        Assert.Null(Quality.For([c, Final("", Losses)]));
        Assert.Contains("no quality metric", Quality.NoneAvailable);
    }

    [Fact]
    public void Each_metric_gets_its_own_chart_so_scales_never_mix()
    {
        Assert.Equal("FID_latent", RunCharts.MetricOf("FID_latent/cat2dog"));
        Assert.Equal("FID_latent", RunCharts.MetricOf("FID_latent/mean"));
        Assert.Equal("gt_reference/style_err", RunCharts.MetricOf("gt_reference/style_err/mean"));
        Assert.NotEqual(RunCharts.MetricOf("LPIPS_latent/mean"), RunCharts.MetricOf("FID_latent/mean"));
    }
}
