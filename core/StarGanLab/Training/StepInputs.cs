using StarGanLab.Config;
using StarGanLab.Networks;
using static TorchSharp.torch;

namespace StarGanLab.Training;

/// <summary>One iteration's inputs in the paper's names: sources (x_real, y_org), target domain y_trg with two
/// references (x_ref, x_ref2) and two latent codes (z_trg, z_trg2), and the FAN masks of x_real (faces only).</summary>
/// <param name="GpAlpha">WGAN-GP only: the real/fake mixing weights of the latent and the reference D phase,
/// [2, batch, 1, 1, 1], drawn with the latent codes so a resumed run draws the same ones; when null, each phase
/// draws its own from torch's global generator.</param>
public sealed record StepInputs(Tensor XReal, Tensor YOrg, Tensor XRef, Tensor XRef2, Tensor YTrg, Tensor ZTrg, Tensor ZTrg2, FaceMasks? Masks = null,
                                Tensor? GpAlpha = null);

/// <summary>A translation G(x_real, s), the target style code s it was made with, and x_real's encoding
/// (null where the encoder reads the code: injection concat), which other translations by the same G reuse.</summary>
public sealed record Translation(Tensor Style, Tensor Image, GeneratorContent? Content);

/// <summary>Where the target style code comes from: the mapping network F(z, y) or the style encoder E(x_ref, y).</summary>
public enum StyleSource { Latent, Reference }

/// <summary>What every objective reads besides the batch: the networks, the loss weights, this iteration's diversity
/// weight (lambda_ds after its decay) and, for faces, the FAN masker.</summary>
public sealed record ObjectiveContext(StarGanNets Nets, LossConfig Weights, double LambdaDs, IFaceMasker? Masker = null);

/// <summary>The fake an objective judges or trains on: the style source it is made from and what of it the caller
/// already has. <paramref name="Made"/>: the translation itself (shared between D's and G's latent phases);
/// <paramref name="Content"/>: x_real's encoding by the same G weights, so only the decoder runs again.</summary>
public sealed record Fake(StyleSource Source, Translation? Made = null, GeneratorContent? Content = null)
{
    public static Fake From(StyleSource source) => new(source);
}

/// <summary>Scalar terms of the discriminator objective (official names: real, fake, reg). A term switched off by a
/// zero weight is 0. <paramref name="Cls"/> (domain classification of reals) only with the classifier discriminator,
/// <paramref name="Gp"/> (WGAN-GP's gradient penalty) only with loss.adversarial wgan_gp.</summary>
public sealed record DLosses(double Total, double Real, double Fake, double Reg, double? Cls = null, double? Gp = null)
{
    /// <summary>The terms of a phase the variant does not run (no reference-guided phases without style codes).</summary>
    public static readonly DLosses Skipped = new(0, 0, 0, 0);
}

/// <summary>Scalar terms of the generator objective (official names: adv, sty, ds, cyc). A term switched off by a
/// zero weight is 0. <paramref name="Cls"/> (fakes classified as the target domain) only with the classifier discriminator.</summary>
public sealed record GLosses(double Total, double Adv, double Sty, double Ds, double Cyc, double? Cls = null)
{
    /// <summary>The terms of a phase the variant does not run.</summary>
    public static readonly GLosses Skipped = new(0, 0, 0, 0, 0);
}

/// <summary>Everything one iteration reports, keyed as the official log line (D/latent_real, ..., G/lambda_ds).
/// <paramref name="LambdaDs"/> is the diversity weight after this iteration's decay, as the official log prints it.</summary>
public sealed record StepLosses(DLosses DLatent, DLosses DRef, GLosses GLatent, GLosses GRef, double LambdaDs)
{
    public IEnumerable<(string Key, double Value)> Flatten()
    {
        foreach (var (prefix, d) in new[] { ("D/latent_", DLatent), ("D/ref_", DRef) })
        {
            yield return (prefix + "real", d.Real);
            yield return (prefix + "fake", d.Fake);
            yield return (prefix + "reg", d.Reg);
            if (d.Cls is double cls) yield return (prefix + "cls", cls);
            if (d.Gp is double gp) yield return (prefix + "gp", gp);
        }
        foreach (var (prefix, g) in new[] { ("G/latent_", GLatent), ("G/ref_", GRef) })
        {
            yield return (prefix + "adv", g.Adv);
            yield return (prefix + "sty", g.Sty);
            yield return (prefix + "ds", g.Ds);
            yield return (prefix + "cyc", g.Cyc);
            if (g.Cls is double cls) yield return (prefix + "cls", cls);
        }
        yield return ("G/lambda_ds", LambdaDs);
    }
}
