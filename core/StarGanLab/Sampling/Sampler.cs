using StarGanLab.Data;
using StarGanLab.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Sampling;

/// <summary>What <c>stargan sample</c> makes, and from what.</summary>
/// <param name="SrcDir">Source images, one sub-folder per domain.</param>
/// <param name="RefDir">Reference images, one sub-folder per domain.</param>
/// <param name="OutDir">Where the grids and videos go.</param>
/// <param name="PerDomain">Images taken per domain sub-folder (null: the official batch of 32 shared out).</param>
/// <param name="OutsPerDomain">Latent codes per domain in the latent grid and video (official num_outs_per_domain 10).</param>
/// <param name="Psi">Truncation of latent-guided styles towards the domain average (1: none).</param>
/// <param name="Seed">Seed of the latent codes (null: the run's seed).</param>
/// <param name="Video">Format of the videos; null writes no video.</param>
public sealed record SampleOptions(
    string SrcDir,
    string RefDir,
    string OutDir,
    int? PerDomain = null,
    int OutsPerDomain = 10,
    double Psi = 1,
    int? Seed = null,
    VideoFormat? Video = VideoFormat.Gif);

/// <summary>The official sample mode (solver.sample: the reference grid and the reference interpolation video) plus the
/// latent-guided grid and video (utils.translate_using_latent, video_latent) at one truncation psi.</summary>
public static class Sampler
{
    public static IReadOnlyList<string> Run(TrainedModel model, SampleOptions o, Action<string> log)
    {
        model.RequireStyleCodes("stargan sample");
        Truncation.Validate(o.Psi);
        ArgumentOutOfRangeException.ThrowIfLessThan(o.OutsPerDomain, 1, "--outs-per-domain");
        var cfg = model.Config;
        var domains = RunDomains.Of(cfg);
        int perDomain = o.PerDomain ?? SampleImages.DefaultPerDomain(domains.Count);
        using var src = SampleImages.LoadFolder(o.SrcDir, domains, cfg.Model.ImgSize, perDomain, cfg.Data.MaxPixels);
        using var refs = SampleImages.LoadFolder(o.RefDir, domains, cfg.Model.ImgSize, perDomain, cfg.Data.MaxPixels);
        log($"{src.X.size(0)} sources from {o.SrcDir}, {refs.X.size(0)} references from {o.RefDir} (at most {perDomain} per domain)");

        using var _ = no_grad();
        using var scope = NewDisposeScope();
        using var gcHeldOff = new Native.NoGcRegion();   // TorchSharp's implicit Scalars race the finalizer (see NoGcRegion)
        var ema = model.Nets;
        var xSrc = src.X.to(model.Device);
        var xRef = refs.X.to(model.Device);
        var yRef = refs.Y.to(model.Device);
        var masks = model.Masker?.Masks(xSrc);
        var paths = new List<string>();
        Directory.CreateDirectory(o.OutDir);

        paths.Add(DebugImages.ReferenceGrid(ema, xSrc, xRef, yRef, masks, o.OutDir, "reference.png"));
        log($"wrote {paths[^1]}");

        var rng = new torch.Generator((ulong)(o.Seed ?? cfg.Seed));
        var zList = Enumerable.Range(0, o.OutsPerDomain).Select(_ => randn([1, cfg.Model.LatentDim], generator: rng)).ToArray();
        var styleAvg = Enumerable.Range(0, domains.Count)
            .Select(d => o.Psi == 1 ? null : Truncation.StyleAverage(ema, d, (long)cfg.Seed)).ToArray();
        paths.Add(DebugImages.LatentGrid(ema, xSrc, masks, zList, styleAvg, o.Psi, o.OutDir, $"latent_psi_{o.Psi:0.0##}.png"));
        log($"wrote {paths[^1]}");

        if (o.Video is not { } format) return paths;
        string ext = VideoFile.Extension(format);

        if (InterpolationVideo.ReferenceTransitions(refs.Y) == 0)
            log($"no reference video: it interpolates between references of the same domain, and {o.RefDir} has one per domain");
        else
        {
            string refVideo = Path.Combine(o.OutDir, "video_ref" + ext);
            int frames = VideoFile.Write(refVideo, format, sink => InterpolationVideo.Reference(ema, xSrc, xRef, yRef, model.Masker, sink));
            paths.Add(refVideo);
            log($"wrote {refVideo} ({frames} frames)");
        }

        if (o.OutsPerDomain < 2)
            log("no latent video: it interpolates between latent codes of one domain, and --outs-per-domain is 1");
        else
        {
            var styles = Enumerable.Range(0, domains.Count).Select(d => LatentStyles(ema, zList, d, styleAvg[d], o.Psi)).ToArray();
            string latentVideo = Path.Combine(o.OutDir, "video_latent" + ext);
            int frames = VideoFile.Write(latentVideo, format, sink => InterpolationVideo.Latent(ema, xSrc, styles, model.Masker, sink));
            paths.Add(latentVideo);
            log($"wrote {latentVideo} ({frames} frames)");
        }
        return paths;
    }

    /// <summary>The styles of <paramref name="zList"/> in <paramref name="domain"/>, truncated by psi: (K, style_dim).</summary>
    public static Tensor LatentStyles(Networks.StarGanNets ema, IReadOnlyList<Tensor> zList, int domain, Tensor? styleAvg, double psi)
    {
        var device = ema.Generator.parameters().First().device;
        var z = cat(zList.ToArray()).to(device);
        var s = ema.LatentStyle(z, full(z.size(0), domain, dtype: int64, device: device));
        return psi == 1 ? s : Truncation.Apply(styleAvg!, s, psi);
    }
}
