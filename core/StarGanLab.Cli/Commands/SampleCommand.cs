using System.CommandLine;
using Spectre.Console;
using StarGanLab.Runs;
using StarGanLab.Sampling;

namespace StarGanLab.Cli.Commands;

/// <summary>stargan sample --run DIR --src DIR --ref DIR [--out DIR] [--psi P] [--video auto|mp4|gif|none] …:
/// the official sample mode (reference grid, interpolation videos) plus a latent-guided grid and video.</summary>
static class SampleCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "run directory (ours or imported)", Required = true };
        var src = new Option<string>("--src") { Description = "source images, one sub-folder per domain (as data.root)", Required = true };
        var @ref = new Option<string>("--ref") { Description = "reference images, one sub-folder per domain", Required = true };
        var output = new Option<string?>("--out") { Description = "output folder (default: RUN/results)" };
        var step = new Option<long?>("--step") { Description = "checkpoint step (default: newest)" };
        var perDomain = new Option<int?>("--per-domain") { Description = "images taken per domain folder (default: 32 / domains, the official batch)" };
        var outs = new Option<int>("--outs-per-domain") { Description = "latent codes per domain (official 10)", DefaultValueFactory = _ => 10 };
        var psi = new Option<double>("--psi") { Description = "truncation of latent styles towards the domain average, 0..1 (1: none)", DefaultValueFactory = _ => 1.0 };
        var seed = new Option<int?>("--seed") { Description = "seed of the latent codes (default: the run's seed)" };
        var video = new Option<string>("--video") { Description = "auto (MP4 when ffmpeg is on PATH, else GIF) | mp4 | gif | none", DefaultValueFactory = _ => "auto" };
        video.AcceptOnlyFromAmong("auto", "mp4", "gif", "none");
        var device = new Option<string?>("--device") { Description = "cpu | cuda | auto (default: the run's device)" };
        var cmd = new Command("sample", "Reference- and latent-guided grids and interpolation videos from a trained run")
            { run, src, @ref, output, step, perDomain, outs, psi, seed, video, device };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            using var model = TrainedModel.Load(r.GetValue(run)!, r.GetValue(step), r.GetValue(device), Log);
            Log($"{model.Run.Path}: step {model.Step}, {RunDomains.Of(model.Config).Describe()}");
            VideoFormat? format = r.GetValue(video) switch
            {
                "none" => null,
                "mp4" => VideoFormat.Mp4,
                "gif" => VideoFormat.Gif,
                _ => VideoFile.Default(),
            };
            var options = new SampleOptions(r.GetValue(src)!, r.GetValue(@ref)!, r.GetValue(output) ?? Path.Combine(model.Run.Path, "results"),
                r.GetValue(perDomain), r.GetValue(outs), r.GetValue(psi), r.GetValue(seed), format);
            if (options.PerDomain is < 1) throw new ArgumentException($"--per-domain {options.PerDomain}: expected at least 1");
            if (format == VideoFormat.Mp4 && FfmpegFrameSink.Find() == null)
                throw new ArgumentException("--video mp4 needs ffmpeg on PATH (e.g. apt-get install ffmpeg); --video gif needs nothing");
            Sampler.Run(model, options, Log);
            return 0;
        }));
        return cmd;
    }

    static void Log(string message) => AnsiConsole.MarkupLine(Markup.Escape(message));
}
