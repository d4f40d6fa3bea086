using System.CommandLine;
using Spectre.Console;
using StarGanLab.Checkpoints;
using StarGanLab.Native;
using StarGanLab.Runs;

namespace StarGanLab.Cli.Commands;

/// <summary>stargan import --official FILE --out DIR</summary>
static class ImportCommand
{
    public static Command Create()
    {
        var official = new Option<string>("--official") { Description = "official NNNNNN_nets.ckpt or NNNNNN_nets_ema.ckpt (zip or legacy format)", Required = true };
        var output = new Option<string>("--out") { Description = "new run directory to create", Required = true };
        var cmd = new Command("import", "Convert an official StarGAN v2 checkpoint into a StarGanLab run directory") { official, output };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            TorchRuntime.EnsureLoaded();
            var (model, ckpt) = OfficialConversion.Import(r.GetValue(official)!, r.GetValue(output)!);
            AnsiConsole.MarkupLine($"imported {Markup.Escape(r.GetValue(official)!)} -> {Markup.Escape(ckpt)}");
            AnsiConsole.MarkupLine($"architecture: img_size {model.ImgSize}, {model.NumDomains} domains, style_dim {model.StyleDim}, latent_dim {model.LatentDim}, width_const {model.WidthConst}, max_conv_dim {model.MaxConvDim}, w_hpf {model.WHpf}");
            return 0;
        }));
        return cmd;
    }
}
