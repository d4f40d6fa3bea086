using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using StarGanLab.Benchmarks;
using StarGanLab.Config;

namespace StarGanLab.Cli.Commands;

/// <summary>stargan bench CONFIG [--set k=v]... [--iters N] [--warmup K] [--data-batches M] [--json]
/// [--compare FILE [--tolerance F] [--max-ratio R]] [--profile [--peak-gflops G]]</summary>
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
        var profile = new Option<bool>("--profile") { Description = "also count each phase's convolution FLOPs (a second sitting under oneDNN's profile log) and report GFLOP/s against this CPU's conv peak" };
        var peakGflops = new Option<double?>("--peak-gflops") { Description = "with --profile: a peak to compare with as well, e.g. bench_official.py --peak's conv3x3 forward_backward gflops_median" };
        var phaseMarkers = new Option<bool>("--phase-markers") { Hidden = true, Description = "print a marker line after each phase (the --profile sitting)" };
        var cmd = new Command("bench", "Time training iterations on random tensors and the data pipeline; report memory")
        {
            config, set, iters, warmup, dataBatches, json, compare, tolerance, maxRatio, profile, peakGflops, phaseMarkers,
        };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var cfg = ConfigLoader.Load(r.GetValue(config)!, r.GetValue(set) ?? [], new ConfigLoadOptions(AllowedRoot: ProjectRoot.Of(r.GetValue(config)!)));
            bool asJson = r.GetValue(json);
            if (r.GetValue(peakGflops) is { } given && (!r.GetValue(profile) || !(given > 0)))
                throw new ArgumentException($"--peak-gflops {given} needs --profile and a positive value (GFLOP/s, e.g. 159.2 from bench_official.py --peak)");
            // The saved result is read and matched to the config first: a typo should not cost minutes of benchmark.
            var saved = r.GetValue(compare) is { } path ? BenchmarkBaseline.Load(path) : null;
            if (saved != null)
                BenchmarkComparison.RequireSameConfig(cfg.Model.ImgSize, cfg.Train.BatchSize, cfg.Model.NumDomains, cfg.Model.WidthConst, saved);
            bool markers = r.GetValue(phaseMarkers);
            var train = TrainingBenchmark.Run(cfg, r.GetValue(warmup), r.GetValue(iters),
                asJson || markers ? null : m => AnsiConsole.MarkupLine("[grey]{0}[/]", m),
                markers ? (i, phase) => Console.WriteLine(OneDnnProfile.MarkerLine(i, phase)) : null);
            if (markers) return 0;
            var profiled = r.GetValue(profile)
                ? ProfileSitting.Run(r.GetValue(config)!, r.GetValue(set) ?? [], train, r.GetValue(peakGflops), asJson ? null : m => AnsiConsole.MarkupLine("[grey]{0}[/]", Markup.Escape(m)))
                : null;
            DataBenchmarkResult? data = r.GetValue(dataBatches) > 0 ? DataBenchmark.Run(cfg, r.GetValue(dataBatches)) : null;
            var comparison = saved is null ? null : BenchmarkComparison.Of(train, saved, r.GetValue(tolerance), r.GetValue(maxRatio));
            int exit = comparison is { Failed: true } ? 3 : 0;
            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(new { train, data, comparison = comparison is null ? null : ComparisonJson(comparison),
                    profile = profiled is null ? null : ProfileJson(profiled) }, TrainingBenchmark.Json));
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
            if (profiled != null) WriteProfile(profiled);
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

    static void WriteProfile(BenchmarkProfile p)
    {
        var t = new Table().AddColumns("phase", "s", "conv GFLOP (fwd / data / weights)", "conv kernels s", "reorders s", "other oneDNN s",
            "outside oneDNN s", "GFLOP/s", "of our peak", p.GivenPeakGflops is null ? "" : "of the given peak");
        foreach (var e in p.Phases.Append(p.Iteration))
        {
            var w = e.Work;
            t.AddRow(e.Phase, $"{e.WallSeconds:F3}", $"{w.ConvGflop:F1} ({w.ConvGflopForward:F1} / {w.ConvGflopBackwardData:F1} / {w.ConvGflopBackwardWeights:F1})",
                $"{w.ConvSeconds:F3} ({e.KernelGflops:F0} GFLOP/s)", $"{w.ReorderSeconds:F3}", $"{w.OtherSeconds:F3}", $"{e.OutsideOneDnnSeconds:F3}",
                $"{e.Gflops:F0}", $"{e.Gflops / p.Peak.GflopsMedian:P0}", p.GivenPeakGflops is { } g ? $"{e.Gflops / g:P0}" : "");
        }
        AnsiConsole.Write(t);
        AnsiConsole.MarkupLine($"our conv peak: {p.Peak.GflopsMedian:F0} GFLOP/s (median of {p.Peak.Repeats}, best {p.Peak.GflopsBest:F0}; {Markup.Escape(p.Peak.Probe)})"
            + (p.GivenPeakGflops is { } given ? $"; given peak {given:F0} GFLOP/s" : ""));
    }

    static object ProfileJson(BenchmarkProfile p) => new
    {
        peak_gflops = p.Peak.GflopsMedian, peak_gflops_best = p.Peak.GflopsBest, peak_probe = p.Peak.Probe, given_peak_gflops = p.GivenPeakGflops,
        phases = p.Phases.Append(p.Iteration).Select(e => new
        {
            phase = e.Phase, seconds = e.WallSeconds, conv_gflop = e.Work.ConvGflop, conv_gflop_forward = e.Work.ConvGflopForward,
            conv_gflop_backward_data = e.Work.ConvGflopBackwardData, conv_gflop_backward_weights = e.Work.ConvGflopBackwardWeights,
            conv_seconds = e.Work.ConvSeconds, reorder_seconds = e.Work.ReorderSeconds, other_onednn_seconds = e.Work.OtherSeconds,
            outside_onednn_seconds = e.OutsideOneDnnSeconds, gflops = e.Gflops, kernel_gflops = e.KernelGflops,
            fraction_of_peak = e.Gflops / p.Peak.GflopsMedian, fraction_of_given_peak = p.GivenPeakGflops is { } g ? e.Gflops / g : (double?)null,
        }).ToList(),
    };

    static object ComparisonJson(BenchmarkComparison c) => new
    {
        against = c.Against.ToString().ToLowerInvariant(), ratio = c.Ratio, noise_margin = c.Margin, regressed = c.Regressed,
        max_ratio = c.MaxRatio, above_max_ratio = c.AboveMaxRatio, peak_rss_ratio = c.PeakRssRatio,
        phases = c.Phases.ToDictionary(p => p.Phase, p => double.IsNaN(p.Ratio) ? (double?)null : p.Ratio)
    };
}
