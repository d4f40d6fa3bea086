using StarGanLab.Networks;
using StarGanLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Sampling;

/// <summary>The official debug images, written with the EMA networks every sample_every steps: translate and
/// reconstruct (reference-guided), latent-guided synthesis at truncation psi 0.5, 0.7 and 1.0, and the
/// reference-guided grid.</summary>
public static class DebugImages
{
    public static readonly double[] Psis = [0.5, 0.7, 1.0];

    /// <summary>Writes all debug images for <paramref name="step"/> into <paramref name="dir"/>; returns their paths.</summary>
    /// <param name="xSrc">Sources (N,3,H,W) with labels <paramref name="ySrc"/>.</param>
    /// <param name="xRef">References with labels <paramref name="yRef"/> (the official uses the val batch shuffled).</param>
    public static List<string> Write(StarGanNets ema, Tensor xSrc, Tensor ySrc, Tensor xRef, Tensor yRef, int latentDim,
                                     int outsPerDomain, long step, string dir, torch.Generator rng, IFaceMasker? masker = null)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        using var gcHeldOff = new Native.NoGcRegion();   // TorchSharp's implicit Scalars race the finalizer (see NoGcRegion)
        var paths = new List<string>();
        int n = (int)xSrc.size(0);
        var masks = masker?.Masks(xSrc);

        // translate and reconstruct: rows x_src, x_ref, G(x_src, E(x_ref)), G(fake, E(x_src))
        var sRef = ema.ReferenceStyle(xRef, yRef);
        var xFake = ema.Generator.forward(xSrc, sRef, masks);
        var xRec = ema.Generator.forward(xFake, ema.SourceStyle(xSrc, ySrc), masker?.Masks(xFake));
        paths.Add(Save(cat([xSrc, xRef, xFake, xRec]), n, dir, $"{step:D6}_cycle_consistency.png"));

        // latent-guided: for each target domain, outsPerDomain latent codes shared across the sources,
        // pulled towards the domain's average style by psi (truncation trick)
        int domains = Math.Min(ema.Model.NumDomains, 5);
        var zList = Enumerable.Range(0, outsPerDomain).Select(_ => randn([1, latentDim], generator: rng)).ToArray();
        var styleAvg = Enumerable.Range(0, domains).Select(d => Truncation.StyleAverage(ema, d, rng)).ToArray();
        foreach (double psi in Psis)
            paths.Add(LatentGrid(ema, xSrc, masks, zList, styleAvg, psi, dir, $"{step:D6}_latent_psi_{psi:0.0}.png"));

        paths.Add(ReferenceGrid(ema, xSrc, xRef, yRef, masks, dir, $"{step:D6}_reference.png"));
        return paths;
    }

    /// <summary>The official reference-guided grid: a white corner, sources along the top row, then one row per
    /// reference: the reference itself followed by every source translated with its style.</summary>
    public static string ReferenceGrid(StarGanNets ema, Tensor xSrc, Tensor xRef, Tensor yRef, FaceMasks? masks, string dir, string file)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        using var gcHeldOff = new Native.NoGcRegion();   // TorchSharp's implicit Scalars race the finalizer (see NoGcRegion)
        int n = (int)xSrc.size(0);
        var rows = new List<Tensor> { ones(1, xSrc.size(1), xSrc.size(2), xSrc.size(3), device: xSrc.device), xSrc };
        var sRef = ema.ReferenceStyle(xRef, yRef);
        GeneratorContent? content = null;
        for (int i = 0; i < xRef.size(0); i++)
        {
            rows.Add(xRef[i..(i + 1)]);
            rows.Add(ema.Generator.forward(xSrc, sRef[i..(i + 1)].repeat(n, 1), masks, ref content));
        }
        return Save(cat(rows.ToArray()), n + 1, dir, file);
    }

    /// <summary>The official latent-guided grid (translate_using_latent): the sources in the first row, then for
    /// every target domain (one per entry of <paramref name="styleAvg"/>) one row per latent code, the code shared by
    /// all sources and its style pulled towards the domain's average by <paramref name="psi"/>.</summary>
    /// <param name="zList">Latent codes, each (1, latent_dim).</param>
    /// <param name="styleAvg">Per target domain its average style (<see cref="Truncation.StyleAverage"/>); the count
    /// of entries is the count of domains drawn. An entry may be null when <paramref name="psi"/> is 1.</param>
    public static string LatentGrid(StarGanNets ema, Tensor xSrc, FaceMasks? masks, IReadOnlyList<Tensor> zList,
                                    IReadOnlyList<Tensor?> styleAvg, double psi, string dir, string file)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        using var gcHeldOff = new Native.NoGcRegion();   // TorchSharp's implicit Scalars race the finalizer (see NoGcRegion)
        int n = (int)xSrc.size(0);
        var device = xSrc.device;
        var rows = new List<Tensor> { xSrc };
        GeneratorContent? content = null;
        for (int d = 0; d < styleAvg.Count; d++)
        {
            var yTrg = full(n, d, dtype: int64, device: device);
            foreach (var z in zList)
            {
                var sTrg = ema.LatentStyle(z.to(device).expand(n, -1), yTrg);
                if (psi != 1) sTrg = Truncation.Apply(styleAvg[d] ?? throw new ArgumentException($"psi {psi} needs the average style of domain {d}"), sTrg, psi);
                rows.Add(ema.Generator.forward(xSrc, sTrg, masks, ref content));
            }
        }
        return Save(cat(rows.ToArray()), n, dir, file);
    }

    static string Save(Tensor grid, int ncol, string dir, string file)
    {
        string path = Path.Combine(dir, file);
        ImageGrid.Save(grid, ncol, path);
        return path;
    }
}
