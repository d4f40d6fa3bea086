using System.CommandLine;
using Spectre.Console;
using StarGanLab.Alignment;
using StarGanLab.Data;
using StarGanLab.Native;
using StarGanLab.Sampling;
using static TorchSharp.torch;

namespace StarGanLab.Cli.Commands;

/// <summary>stargan align --in DIR --out DIR --wing FILE --landmarks-mean FILE [--img-size 256]: the official align
/// mode (main.py --mode align): every image of DIR, resized to img_size, aligned to the mean CelebA-HQ landmarks.</summary>
static class AlignCommand
{
    const long MaxPixels = 100_000_000;

    public static Command Create()
    {
        var input = new Option<string>("--in") { Description = "folder of face images (all files, sorted by name)", Required = true };
        var output = new Option<string>("--out") { Description = "folder for the aligned images (same names, PNG)", Required = true };
        var wing = new Option<string>("--wing") { Description = "official FAN checkpoint (expr/checkpoints/wing.ckpt)", Required = true };
        var mean = new Option<string>("--landmarks-mean") { Description = "mean landmarks (expr/checkpoints/celeba_lm_mean.npz)", Required = true };
        var imgSize = new Option<int>("--img-size") { DefaultValueFactory = _ => 256 };
        var cmd = new Command("align", "Align face images as the official align mode (FAN landmarks, similarity transform to the mean face)")
            { input, output, wing, mean, imgSize };
        cmd.SetAction(r => CliErrors.Run(() => Run(r.GetValue(input)!, r.GetValue(output)!, r.GetValue(wing)!, r.GetValue(mean)!, r.GetValue(imgSize))));
        return cmd;
    }

    static int Run(string inDir, string outDir, string wing, string mean, int imgSize)
    {
        if (!Directory.Exists(inDir)) throw new DirectoryNotFoundException($"{inDir}: input folder not found");
        if (imgSize < 64) throw new ArgumentException($"--img-size {imgSize}: expected at least 64");
        TorchRuntime.EnsureLoaded();
        using var aligner = FaceAligner.Load(wing, mean, imgSize, m => AnsiConsole.MarkupLine(Markup.Escape(m)));
        Directory.CreateDirectory(outDir);
        var files = Directory.GetFiles(inDir).OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToList();
        using var noGrad = no_grad();
        foreach (var file in files)
        {
            using var scope = NewDisposeScope();
            using var bitmap = ImageDecoder.Decode(file, MaxPixels);
            var x = tensor(Augmentation.ResizeNormalize(bitmap, imgSize)).view(1, 3, imgSize, imgSize);
            string target = Path.Combine(outDir, Path.GetFileNameWithoutExtension(file) + ".png");
            Tensor aligned;
            try { aligned = aligner.Align(x); }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{file}: cannot be aligned to the mean landmarks of {mean}: {e.Message}", e);
            }
            ImageGrid.Save(aligned, 1, target);
            AnsiConsole.MarkupLine($"aligned {Markup.Escape(Path.GetFileName(file))} -> {Markup.Escape(target)}");
        }
        return 0;
    }
}
