using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using StarGanLab.Benchmarks;
using StarGanLab.Config;

namespace StarGanLab.Cli.Commands;

/// <summary>stargan bench CONFIG [--set k=v]... [--iters N] [--warmup K] [--data-batches M] [--json]
/// [--compare FILE [--tolerance F] [--max-ratio R]]</summary>
static class BenchCommand
{
    public static Command Create()
    {
        var config = new Argument<string>("config") { Description = "experiment YAML whose model/train/data settings are timed" };
        var set = new Option<string[]>("--set") { Description = "override a config key (repeatable), e.g. --set model.img_size=64" };
        var iters = new Option<int>("--iters") { DefaultValueFactory = _ => 5, Description = "timed iterations" };
        var warmup = new Option<int>("--warmup") { DefaultValueFactory = _ => 2, Description = "untimed iterations first" };
        var dataBatches = new Option<int>("--data-batches") { DefaultValueFactory = _ => 50, Description = "batches for the data-pipeline figure (0: skip)" };
        var json = new Option<bool>("--json") { Description = "print one JSON object instead of tables" };
        var compare = new Option<string?>("--compare") { Description = "a saved `stargan bench --json` result (exit 3 on a slowdown beyond noise) or a bench_official.py result (prints ours / official)" };
        var tolerance = new Option<double>("--tolerance") { DefaultValueFactory = _ => 0.10, Description = "smallest slowdown counted as a regression when both sittings are tighter than that" };
        var maxRatio = new Option<double?>("--max-ratio") { Description = "with --compare: exit 3 when the ratio (now / saved) is above this, e.g. 0.5 against the official" };
        var cmd = new Command("bench", "Time training iterations on random tensors and the data pipeline; report memory") { config, set, iters, warmup, dataBatches, json, compare, tolerance, maxRatio };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var cfg = ConfigLoader.Load(r.GetValue(config)!, r.GetValue(set) ?? [], new ConfigLoadOptions(AllowedRoot: ProjectRoot.Of(r.GetValue(config)!)));
            bool asJson = r.GetValue(json);
            // The saved result is read and matched to the config first: a typo should not cost minutes of benchmark.
            var saved = r.GetValue(compare) is { } path ? BenchmarkBaseline.Load(path) : null;
            if (saved != null)
                BenchmarkComparison.RequireSameConfig(cfg.Model.ImgSize, cfg.Train.BatchSize, cfg.Model.NumDomains, cfg.Model.WidthConst, saved);
            var train = TrainingBenchmark.Run(cfg, r.GetValue(warmup), r.GetValue(iters),
                asJson ? null : m => AnsiConsole.MarkupLine("[grey]{0}[/]", m));
            DataBenchmarkResult? data = r.GetValue(dataBatches) > 0 ? DataBenchmark.Run(cfg, r.GetValue(dataBatches)) : null;
            var comparison = saved is null ? null : BenchmarkComparison.Of(train, saved, r.GetValue(tolerance), r.GetValue(maxRatio));
            int exit = comparison is { Failed: true } ? 3 : 0;
            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(new { train, data, comparison = comparison is null ? null : ComparisonJson(comparison) },
                    TrainingBenchmark.Json));
                return exit;
            }
            var t = new Table().AddColumns("measure", "value");
            t.AddRow("config", $"{train.ImgSize} px, batch {train.BatchSize}{(train.Accumulate > 1 ? $" in {train.Accumulate} micro-batches" : "")}, {train.NumDomains} domains, width constant {train.WidthConst}, w_hpf {train.WHpf}, {train.Threads} threads");
            t.AddRow("s/iter (median of " + train.Iters + ")", $"{train.SecPerIterMedian:F3}");
            t.AddRow("s/iter (min)", $"{train.SecPerIterMin:F3}");
            t.AddRow("images/s (training)", $"{train.BatchSize / train.SecPerIterMedian:F1}");
            var p = train.PhaseMedians;
            t.AddRow("phases (median s)", $"D latent {p.DLatent:F3}, D ref {p.DRef:F3}, G latent {p.GLatent:F3}, G ref {p.GRef:F3}, EMA {p.Ema:F4}");
            t.AddRow("peak RSS", $"{train.PeakRssMiB:F0} MiB");
            t.AddRow("live tensors before / after timed iterations", $"{train.LiveTensorsBefore} / {train.LiveTensorsAfter}");
            t.AddRow("parameters", string.Join(", ", train.Params.Select(kv => $"{kv.Key} {kv.Value:N0}")));
            if (data != null) t.AddRow($"data pipeline ({data.Source}, {data.Workers} workers)", $"{data.ImagesPerSecond:F0} images/s decoded and augmented");
            AnsiConsole.Write(t);
            if (comparison != null) WriteComparison(comparison, train, saved!);
            return exit;
        }));
        return cmd;
    }

    static void WriteComparison(BenchmarkComparison c, TrainingBenchmarkResult now, BenchmarkBaseline saved)
    {
        string against = c.Against == BaselineSource.Official ? "official" : "saved";
        var t = new Table().AddColumns("", "now", against, "ratio");
        t.AddRow("s/iter (median)", $"{now.SecPerIterMedian:F3}", $"{saved.SecPerIterMedian:F3}", $"{c.Ratio:F3}");
        foreach (var (phase, current, was, ratio) in c.Phases)
            t.AddRow(Markup.Escape(phase), $"{current:F3}", $"{was:F3}", double.IsNaN(ratio) ? "-" : $"{ratio:F3}");
        if (c.PeakRssRatio is { } rss) t.AddRow("peak RSS", "", $"{saved.PeakRssMiB:F0} MiB", $"{rss:F3}");
        AnsiConsole.Write(t);
        if (c.Against == BaselineSource.Stargan)
            AnsiConsole.MarkupLine(c.Regressed
                ? $"[red]regression:[/] {c.Ratio:F3} of the saved time, beyond the noise margin {1 + c.Margin:F3} ({Markup.Escape(saved.Path)})"
                : $"no regression: {c.Ratio:F3} of the saved time, within the noise margin {1 + c.Margin:F3}");
        else
            AnsiConsole.MarkupLine($"ours / official: {c.Ratio:F3}");
        if (c.AboveMaxRatio) AnsiConsole.MarkupLine($"[red]above --max-ratio {c.MaxRatio:F3}[/]");
    }

    static object ComparisonJson(BenchmarkComparison c) => new
    {
        against = c.Against.ToString().ToLowerInvariant(), ratio = c.Ratio, noise_margin = c.Margin, regressed = c.Regressed,
        max_ratio = c.MaxRatio, above_max_ratio = c.AboveMaxRatio, peak_rss_ratio = c.PeakRssRatio,
        phases = c.Phases.ToDictionary(p => p.Phase, p => double.IsNaN(p.Ratio) ? (double?)null : p.Ratio)
    };
}
