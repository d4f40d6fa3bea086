using System.Text.RegularExpressions;
using SkiaSharp;
using StarGanLab.Config;
using StarGanLab.Reports;
using StarGanLab.Runs;
using StarGanLab.Tests.Data;
using StarGanLab.Tests.Training;
using StarGanLab.Training;
using StarGanLab.Experiments.Hooks;
using Xunit;
using StarGanLab.Experiments;

namespace StarGanLab.Tests.Reports;

/// <summary>The run report from a synthetic run directory (no training), and from a tiny real run via the hook.</summary>
public class RunReportTests : IDisposable
{
    readonly string root = TinyRuns.TempRoot();

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>root/NAME with config.yaml, a losses.jsonl of <paramref name="steps"/> lines and one sample PNG at the last step.</summary>
    string SyntheticRun(string name, int steps, double scale = 1.0)
    {
        var run = RunDirectory.Create(root, name, overwrite: false);
        run.WriteText(RunDirectory.ConfigFileName, ConfigWriter.ToYaml(TinyRuns.Config(root, steps) with { Run = new RunConfig(Root: root, Name: name) }));
        var lines = Enumerable.Range(1, steps).Select(s =>
            $$"""{"step":{{s}},"time":"2026-01-01T00:00:0{{s}}Z","s_per_iter":0.25,"data_wait_s_per_iter":0.001,"D/latent_real":{{0.7 * scale / s}},"D/ref_fake":0.5,"G/ref_cyc":{{scale * 0.1 * s}},"G/lambda_ds":1}""");
        run.WriteText("losses.jsonl", string.Join("\n", lines) + "\n");
        Directory.CreateDirectory(run.SampleDir);
        File.WriteAllBytes(Path.Combine(run.SampleDir, "000001_reference.png"), TestImages.SolidPng(4, 4, SKColors.Blue));
        File.WriteAllBytes(Path.Combine(run.SampleDir, $"{steps:D6}_reference.png"), TestImages.SolidPng(4, 4, SKColors.Red));
        return run.Path;
    }

    [Fact]
    public void The_report_is_self_contained_with_curves_samples_and_config()
    {
        string dir = SyntheticRun("r", steps: 3);
        string path = RunReport.Write(dir);
        string html = File.ReadAllText(path);

        Assert.Equal(Path.Combine(dir, "report.html"), path);
        Assert.Contains($"plotly.js v{OfflineHtml.PlotlyVersion}", html);                 // plotly.js inline ...
        Assert.Equal(1, Regex.Count(html, Regex.Escape($"plotly.js v{OfflineHtml.PlotlyVersion}")));   // ... once
        Assert.DoesNotMatch(new Regex("<script[^>]*\\ssrc\\s*=", RegexOptions.IgnoreCase), html);  // nothing fetched: no script src at all
        Assert.DoesNotContain("requirejs", html);
        foreach (var trace in new[] { "D/latent_real", "D/ref_fake", "G/ref_cyc", "G/lambda_ds", "s_per_iter", "data_wait_s_per_iter" })
            Assert.Contains($"\"name\":\"{trace}\"", html);
        // only the newest sample step, as an embedded PNG
        string red = Convert.ToBase64String(TestImages.SolidPng(4, 4, SKColors.Red));
        Assert.Contains($"src=\"data:image/png;base64,{red}\"", html);
        Assert.Contains("000003_reference.png", html);
        Assert.DoesNotContain("000001_reference.png", html);
        Assert.Contains("<pre>name: &quot;tiny&quot;", html);   // the resolved config, escaped
        Assert.DoesNotContain("<h2>Metrics</h2>", html);   // no metrics.jsonl, no metrics chart
    }

    [Fact]
    public void Metrics_get_a_chart_when_the_run_has_them()
    {
        string dir = SyntheticRun("m", steps: 2);
        File.WriteAllText(Path.Combine(dir, RunResults.MetricsFileName), "{\"step\":2,\"FID_latent/cat2dog\":41.5}\n");
        string html = RunReport.Render(RunResults.Load(dir));
        Assert.Contains("<h2>Metrics</h2>", html);
        Assert.Contains("\"name\":\"FID_latent/cat2dog\"", html);
    }

    [Fact]
    public void A_run_path_with_a_trailing_slash_is_the_same_run()
    {
        string dir = SyntheticRun("slash", steps: 1);
        Assert.Equal("slash", RunResults.Load(dir + Path.DirectorySeparatorChar).Name);
    }

    [Fact]
    public void The_log_reader_keeps_series_in_order_and_skips_only_a_torn_last_line()
    {
        var log = ScalarLog.Parse("{\"step\":1,\"time\":\"t\",\"a\":1,\"b\":2}\n{\"step\":2,\"a\":3}\n{\"step\":2,\"a\":4}\n{\"step\":3,\"a\"", "x.jsonl");
        Assert.Equal(["a", "b"], log.Series.Select(s => s.Name));
        Assert.Equal([1L, 2L], log["a"]!.Steps);
        Assert.Equal([1.0, 4.0], log["a"]!.Values);   // a step logged twice keeps its last value
        var e = Assert.Throws<InvalidDataException>(() => ScalarLog.Parse("{\"step\":1}\nnot json\n{\"step\":2}\n", "x.jsonl"));
        Assert.StartsWith("x.jsonl:2:", e.Message);
    }

    [Fact]
    public void Runs_under_a_root_load_by_name_and_their_differing_keys_are_found()
    {
        SyntheticRun("b", steps: 2, scale: 2);
        SyntheticRun("a", steps: 3);
        Directory.CreateDirectory(Path.Combine(root, "a.replaced-20260101T000000"));
        File.WriteAllText(Path.Combine(root, "a.replaced-20260101T000000", "config.yaml"), "");
        var runs = RunResults.LoadAll(root);
        Assert.Equal(["a", "b"], runs.Select(r => r.Name));
        Assert.Equal(["train.total_iters"], RunResults.DifferingConfigKeys(runs));
        var across = Plotly.NET.GenericChart.toChartHTML(RunCharts.Across(runs, "G/ref_cyc"));
        Assert.Contains("\"name\":\"a\"", across);
        Assert.Contains("\"name\":\"b\"", across);
    }
}

/// <summary>The hook inside a real (tiny) training run: a report at sample time and at the end.</summary>
public class ReportHookTests : TorchTest
{
    [Fact]
    public void The_hook_writes_the_report_during_and_after_training()
    {
        string root = TinyRuns.TempRoot();
        try
        {
            var cfg = TinyRuns.Config(root, totalIters: 3);
            using var session = TrainingSession.Start(cfg, RunDirectory.Create(root, "t", false), _ => { });
            var hook = new ReportHook(every: 2);
            var stepsWithReport = new List<long>();
            var probe = new Probe(c => { if (File.Exists(Path.Combine(c.Run.Path, RunReport.FileName))) stepsWithReport.Add(c.Step); });
            session.Train([new LossLogHook(1), new SampleHook(2, outsPerDomain: 1), hook, probe], CancellationToken.None);

            Assert.Equal([2L, 3L], stepsWithReport);   // first written at step 2 (every: 2), not at step 1
            string html = File.ReadAllText(hook.LastWritten!);
            Assert.Contains("000003_reference.png", html);   // the final write has the last step's grids
            Assert.Contains("\"name\":\"G/ref_cyc\"", html);
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    sealed class Probe(Action<TrainContext> afterStep) : ITrainHook
    {
        public void AfterStep(TrainContext c, StepLosses l) => afterStep(c);
    }
}
