using System.CommandLine;
using Spectre.Console;
using StarGanLab.Metrics;
using StarGanLab.Runs;
using StarGanLab.Config;
using StarGanLab.Experiments;

namespace StarGanLab.Cli.Commands;

/// <summary>stargan eval --run DIR [--mode latent,reference] [--checkpoint STEP] [--seeds N]</summary>
static class EvalCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "run directory (ours, or one made by stargan import)", Required = true };
        var mode = new Option<string?>("--mode") { Description = "latent, reference or latent,reference (default: metrics.modes)" };
        var checkpoint = new Option<long?>("--checkpoint") { Description = "checkpoint step (default: the newest)" };
        var seeds = new Option<int?>("--seeds") { Description = "evaluate with seeds s..s+N-1 and report mean and std (default: metrics.seeds)" };
        var seed = new Option<int?>("--seed") { Description = "first seed (default: the run's seed)" };
        var device = new Option<string?>("--device") { Description = "auto | cpu | cuda | cuda:N (default: the run's)" };
        var set = new Option<string[]>("--set") { Description = "override a key of the run's config for this evaluation, e.g. --set metrics.backbone=inception (repeatable)" };
        var data = DataOption.Create();
        var cmd = new Command("eval", "FID and LPIPS of a checkpoint with the official protocol (offline ResNet18 metrics by default)")
            { run, mode, checkpoint, seeds, seed, device, set, data };
        cmd.SetAction(r => CliErrors.Run(() => Run(r.GetValue(run)!, r.GetValue(mode), r.GetValue(checkpoint), r.GetValue(seeds), r.GetValue(seed), r.GetValue(device),
            [.. r.GetValue(set) ?? [], .. DataOption.Overrides(r.GetValue(data))])));
        return cmd;
    }

    static int Run(string runDir, string? modes, long? step, int? seeds, int? seed, string? device, string[] overrides)
    {
        void Log(string m) => AnsiConsole.MarkupLine("[grey]{0}[/]", Markup.Escape(m));
        if (seeds is < 1) throw new ArgumentException($"--seeds: expected an integer >= 1, got {seeds}");
        using var model = TrainedModel.Load(runDir, step, device, Log, overrides);
        MetricSuite.CheckFiles(model.Config.Metrics);
        var options = EvalOptions.From(model.Config, Log);
        options = options with
        {
            Modes = modes != null ? EvalModes.Parse(modes) : options.Modes,
            Seeds = seeds ?? options.Seeds,
            Seed = seed ?? options.Seed,
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        using var suite = MetricSuite.Open(model.Config.Metrics, model.Device, model.Config.Threads);
        var (results, files) = RunEvaluation.Write(model, suite, Log, options: options);
        // Not sent to MLflow from here: reopening the run's MLflow run trims its metrics after the first step logged
        // (the resume rule), which would drop the losses after an older checkpoint. Training (EvalHook) logs them.

        var table = new Table().AddColumn("metric").AddColumn(new TableColumn("mean").RightAligned());
        bool several = options.Seeds > 1;
        if (several) table.AddColumn(new TableColumn("std").RightAligned());
        foreach (var r in results)
            foreach (var (k, v) in r.Mean)
                table.AddRow(several ? [Markup.Escape(k), Fmt(v), Fmt(r.Std[k])] : [Markup.Escape(k), Fmt(v)]);
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"step {model.Step}, seeds {string.Join(", ", options.SeedList)}: {clock.Elapsed.TotalSeconds:F0} s; wrote {files.Count} files under {Markup.Escape(Path.Combine(model.Run.Path, EvalWriter.EvalFolder))} and metrics.jsonl");
        return 0;
    }

    static string Fmt(double v) => v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture);
}
