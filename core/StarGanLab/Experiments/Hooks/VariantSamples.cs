using StarGanLab.Networks;
using StarGanLab.Sampling;
using TorchSharp;
using static TorchSharp.torch;
using StarGanLab.Config;

namespace StarGanLab.Experiments.Hooks;

/// <summary>Debug images of an ablation variant without domain-specific style codes (model.style_source latent or
/// domain, Table 1 (A) to (D)): it has no mapping network, so no truncation trick, and no reference-guided synthesis.
/// The official images of the full model are <see cref="DebugImages"/>.</summary>
public static class VariantSamples
{
    /// <summary>Writes NNNNNN_cycle_consistency.png (rows x_src, G(x_src, code of y_ref), its reconstruction with the
    /// source's own code) and NNNNNN_latent.png (the sources, then per target domain one row per latent code; a
    /// one-hot domain code is deterministic, so one row per domain). Returns the paths.</summary>
    public static List<string> Write(StarGanNets nets, Tensor xSrc, Tensor ySrc, Tensor yRef, int latentDim,
                                     int outsPerDomain, long step, string dir, torch.Generator rng, IFaceMasker? masker = null)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var device = xSrc.device;
        int n = (int)xSrc.size(0);
        var masks = masker?.Masks(xSrc);
        Tensor Z() => randn([1, latentDim], generator: rng).to(device).expand(n, -1);

        var xFake = nets.Generator.forward(xSrc, nets.LatentStyle(Z(), yRef), masks);
        var xRec = nets.Generator.forward(xFake, nets.SourceStyle(xSrc, ySrc), masker?.Masks(xFake));
        var paths = new List<string> { Save(cat([xSrc, xFake, xRec]), n, dir, $"{step:D6}_cycle_consistency.png") };

        int codes = nets.Model.StyleSource == StyleCode.Domain ? 1 : outsPerDomain;
        var rows = new List<Tensor> { xSrc };
        for (int d = 0; d < Math.Min(nets.Model.NumDomains, 5); d++)
        {
            var yTrg = full(n, d, dtype: int64, device: device);
            for (int k = 0; k < codes; k++)
                rows.Add(nets.Generator.forward(xSrc, nets.LatentStyle(Z(), yTrg), masks));
        }
        paths.Add(Save(cat(rows.ToArray()), n, dir, $"{step:D6}_latent.png"));
        return paths;
    }

    static string Save(Tensor grid, int ncol, string dir, string file)
    {
        string path = Path.Combine(dir, file);
        ImageGrid.Save(grid, ncol, path);
        return path;
    }
}
