using System.CommandLine;
using Spectre.Console;
using StarGanLab.Runs;
using StarGanLab.Sampling;

namespace StarGanLab.Cli.Commands;

/// <summary>stargan translate --run DIR --src a.jpg (--ref b.jpg [--domain D] | --domain D [--seed N] [--psi P]) --out c.png</summary>
static class TranslateCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "run directory (ours or imported)", Required = true };
        var src = new Option<string>("--src") { Description = "image to translate", Required = true };
        var @ref = new Option<string?>("--ref") { Description = "reference image whose style to take" };
        var domain = new Option<string?>("--domain") { Description = "target domain (name or label); with --ref, the reference's domain (default: its folder's name)" };
        var seed = new Option<long?>("--seed") { Description = "seed of the latent code without --ref (default: the run's seed)" };
        var psi = new Option<double>("--psi") { Description = "truncation towards the domain's average style without --ref, 0..1 (1: none)", DefaultValueFactory = _ => 1.0 };
        var output = new Option<string>("--out") { Description = "PNG to write (img_size x img_size)", Required = true };
        var step = new Option<long?>("--step") { Description = "checkpoint step (default: newest)" };
        var device = new Option<string?>("--device") { Description = "cpu | cuda | auto (default: the run's device)" };
        var cmd = new Command("translate", "Translate one image, guided by a reference image or by a random style of a domain")
            { run, src, @ref, domain, seed, psi, output, step, device };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            string? refPath = r.GetValue(@ref), domainName = r.GetValue(domain), outPath = r.GetValue(output)!;
            if (refPath == null && domainName == null) throw new ArgumentException("give --ref IMAGE (reference-guided) or --domain NAME (latent-guided)");
            if (refPath != null && r.GetValue(psi) != 1) throw new ArgumentException("--psi truncates latent-guided styles; with --ref the style comes from the reference");
            if (refPath != null && r.GetValue(seed) != null) throw new ArgumentException("--seed draws a latent code; with --ref the style comes from the reference");
            if (!outPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) throw new ArgumentException($"--out {outPath}: the output is written as PNG, so name it *.png");
            Truncation.Validate(r.GetValue(psi));

            using var model = TrainedModel.Load(r.GetValue(run)!, r.GetValue(step), r.GetValue(device), Log);
            var domains = RunDomains.Of(model.Config);
            int size = model.Config.Model.ImgSize;
            long maxPixels = model.Config.Data.MaxPixels;
            using var xSrc = SampleImages.LoadFile(r.GetValue(src)!, size, maxPixels, "--src");
            TorchSharp.torch.Tensor xOut;
            if (refPath != null)
            {
                using var xRef = SampleImages.LoadFile(refPath, size, maxPixels, "--ref");
                int refDomain = ReferenceDomain(refPath, domainName, domains);
                xOut = Translator.ByReference(model, xSrc, xRef, refDomain);
                Log($"style of {refPath} ({Name(domains, refDomain)})");
            }
            else
            {
                int target = domains.Resolve(domainName!);
                long s = r.GetValue(seed) ?? model.Config.Seed;
                xOut = Translator.ByLatent(model, xSrc, target, s, r.GetValue(psi));
                Log($"random style of {Name(domains, target)} (seed {s}, psi {r.GetValue(psi)})");
            }
            using (xOut) ImageGrid.Save(xOut, 1, outPath);
            Log($"wrote {outPath} ({size}x{size}, step {model.Step})");
            return 0;
        }));
        return cmd;
    }

    /// <summary>--domain when given, else the name of the reference's folder when it is one of the run's domains.</summary>
    static int ReferenceDomain(string refPath, string? domain, RunDomains domains)
    {
        if (domain != null) return domains.Resolve(domain);
        string folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(refPath))!);
        return domains.TryResolveName(folder)
            ?? throw new ArgumentException($"cannot tell the domain of the reference {refPath}: its folder '{folder}' is not a domain name and no --domain was given; {domains.Describe()}");
    }

    static string Name(RunDomains domains, int label) => domains.Names?[label] ?? $"domain {label}";

    static void Log(string message) => AnsiConsole.MarkupLine(Markup.Escape(message));
}
