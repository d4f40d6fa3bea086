using StarGanLab.Runs;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Sampling;

/// <summary>Single-image translation with a trained model (what <c>stargan translate</c> does).</summary>
public static class Translator
{
    /// <summary>G(x_src, E(x_ref, y_ref)): the source in the style of a reference of domain <paramref name="refDomain"/>.</summary>
    public static Tensor ByReference(TrainedModel model, Tensor xSrc, Tensor xRef, int refDomain)
    {
        model.RequireStyleCodes("reference-guided translation");
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        using var gcHeldOff = new Native.NoGcRegion();   // TorchSharp's implicit Scalars race the finalizer (see NoGcRegion)
        xSrc = xSrc.to(model.Device);
        var sRef = model.Nets.ReferenceStyle(xRef.to(model.Device), full(xRef.size(0), refDomain, dtype: int64, device: model.Device));
        return model.Nets.Generator.forward(xSrc, sRef, model.Masker?.Masks(xSrc)).MoveToOuterDisposeScope();
    }

    /// <summary>G(x_src, lerp(s_avg, F(z, y), psi)) with z drawn from <paramref name="seed"/>: one seed, one image.
    /// s_avg is the model's (<see cref="Truncation.StyleAverage(Networks.StarGanNets, int, long)"/>), as in <c>sample</c>.</summary>
    public static Tensor ByLatent(TrainedModel model, Tensor xSrc, int domain, long seed, double psi)
    {
        model.RequireStyleCodes("latent-guided translation");
        Truncation.Validate(psi);
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        using var gcHeldOff = new Native.NoGcRegion();   // TorchSharp's implicit Scalars race the finalizer (see NoGcRegion)
        xSrc = xSrc.to(model.Device);
        var z = randn([1, model.Config.Model.LatentDim], generator: new torch.Generator((ulong)seed));
        var sAvg = psi == 1 ? null : Truncation.StyleAverage(model.Nets, domain, (long)model.Config.Seed);
        var s = Sampler.LatentStyles(model.Nets, [z], domain, sAvg, psi).expand(xSrc.size(0), -1);
        return model.Nets.Generator.forward(xSrc, s, model.Masker?.Masks(xSrc)).MoveToOuterDisposeScope();
    }
}
