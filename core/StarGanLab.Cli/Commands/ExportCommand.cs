using System.CommandLine;
using Spectre.Console;
using StarGanLab.Checkpoints;
using StarGanLab.Native;
using StarGanLab.Training;
using StarGanLab.Runs;

namespace StarGanLab.Cli.Commands;

/// <summary>stargan export --run DIR --out FILE [--step N] [--kind nets_ema|nets] [--force]</summary>
static class ExportCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "run directory", Required = true };
        var output = new Option<string>("--out") { Description = "PyTorch checkpoint to write (official layout)", Required = true };
        var step = new Option<long?>("--step") { Description = "checkpoint step (default: newest)" };
        var kind = new Option<string>("--kind") { Description = "nets_ema (default, for sampling/eval) or nets", DefaultValueFactory = _ => TrainerCheckpoints.NetsEma };
        kind.AcceptOnlyFromAmong(TrainerCheckpoints.NetsEma, TrainerCheckpoints.Nets);
        var wing = new Option<string?>("--wing") { Description = "FAN checkpoint to include for w_hpf > 0 models (default: the run's fan.wing_path)" };
        var force = new Option<bool>("--force") { Description = "overwrite --out if it exists" };
        var cmd = new Command("export", "Write a run's checkpoint as an official-format PyTorch file") { run, output, step, kind, wing, force };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            if (File.Exists(r.GetValue(output)!) && !r.GetValue(force))
                throw new IOException($"--out {r.GetValue(output)} exists; give --force to overwrite it");
            TorchRuntime.EnsureLoaded();
            string ckpt = OfficialConversion.FindInRun(r.GetValue(run)!, r.GetValue(step), r.GetValue(kind)!);
            string? wingPath = r.GetValue(wing);
            if (wingPath == null)
            {
                var cfg = StarGanLab.Config.ConfigLoader.Load(StarGanLab.Runs.RunDirectory.Open(r.GetValue(run)!).ConfigFile,
                    options: new StarGanLab.Config.ConfigLoadOptions(Use: StarGanLab.Config.ConfigUse.Inference));
                wingPath = string.IsNullOrEmpty(cfg.Fan.WingPath) ? null : cfg.Fan.WingPath;
            }
            OfficialConversion.Export(ckpt, r.GetValue(output)!, wingPath);
            AnsiConsole.MarkupLine($"exported {Markup.Escape(ckpt)} -> {Markup.Escape(r.GetValue(output)!)}");
            return 0;
        }));
        return cmd;
    }
}
