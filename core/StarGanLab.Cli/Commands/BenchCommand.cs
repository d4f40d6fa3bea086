using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using StarGanLab.Benchmarks;
using StarGanLab.Config;

namespace StarGanLab.Cli.Commands;

/// <summary>stargan bench CONFIG [--set k=v]... [--iters N] [--warmup K] [--data-batches M] [--json]</summary>
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
        var cmd = new Command("bench", "Time training iterations on random tensors and the data pipeline; report memory") { config, set, iters, warmup, dataBatches, json };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var cfg = ConfigLoader.Load(r.GetValue(config)!, r.GetValue(set) ?? [], new ConfigLoadOptions(AllowedRoot: ProjectRoot.Of(r.GetValue(config)!)));
            bool asJson = r.GetValue(json);
            var train = TrainingBenchmark.Run(cfg, r.GetValue(warmup), r.GetValue(iters),
                asJson ? null : m => AnsiConsole.MarkupLine("[grey]{0}[/]", m));
            DataBenchmarkResult? data = r.GetValue(dataBatches) > 0 ? DataBenchmark.Run(cfg, r.GetValue(dataBatches)) : null;
            if (asJson)
            {
                Console.WriteLine(JsonSerializer.Serialize(new { train, data }, new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower }));
                return 0;
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
            return 0;
        }));
        return cmd;
    }
}
