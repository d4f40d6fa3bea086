using StarGanLab.Networks;
using StarGanLab.Runs;
using StarGanLab.Training;
using static TorchSharp.torch;

namespace StarGanLab.Metrics.GroundTruth;

/// <summary>StarGAN v2 networks as the official evaluation uses them: latent mode maps a standard normal code through
/// F for the target domain, reference mode encodes the reference with E; then G(x_src, s, masks). Ablation variants
/// without style codes get their own code (StarGanNets.LatentStyle); they have no reference mode.</summary>
public sealed class ModelTranslator(StarGanNets nets, Device device, IFaceMasker? masker = null) : IGroundTruthTranslator
{
    public static ModelTranslator Of(TrainedModel model) => new(model.Nets, model.Device, model.Masker);

    public Tensor Translate(TranslationRequest r)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        using var gcHeldOff = new Native.NoGcRegion();   // TorchSharp's implicit Scalars race the finalizer (see NoGcRegion)
        var x = r.Sources.to(device);
        var y = full(x.size(0), r.TargetDomain, dtype: int64, device: device);
        // Codes come from the request's CPU generator, so the numbers do not depend on the device.
        var s = r.References is null
            ? nets.LatentStyle(randn([x.size(0), nets.Model.LatentDim], generator: r.Rng).to(device), y)
            : nets.ReferenceStyle(r.References.to(device), y);
        return nets.Generator.forward(x, s, masker?.Masks(x)).MoveToOuterDisposeScope();
    }
}
