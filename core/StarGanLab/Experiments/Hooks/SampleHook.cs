using StarGanLab.Networks;
using StarGanLab.Sampling;
using TorchSharp;
using static TorchSharp.torch;
using StarGanLab.Training;

namespace StarGanLab.Experiments.Hooks;

/// <summary>Writes the official debug images with the EMA networks every sample_every steps and at the end.
/// References are the validation images in a fixed shuffled order; the latent codes come from a generator
/// seeded per step, so a resumed run draws the same pictures.</summary>
/// <param name="outsPerDomain">Latent codes per target domain in the latent-guided grids (train.sample_outs_per_domain; official 10).</param>
public sealed class SampleHook(int every, int outsPerDomain = 10) : ITrainHook
{
    public IReadOnlyList<string> LastWritten { get; private set; } = [];

    public void AfterStep(TrainContext c, StepLosses losses)
    {
        if (c.Step % every == 0 || c.Step == c.TotalIters) Write(c);
    }

    void Write(TrainContext c)
    {
        using var scope = NewDisposeScope();
        var device = c.Trainer.Nets.Generator.parameters().First().device;
        var rng = new torch.Generator((ulong)(c.Config.Seed * 1000003L + c.Step));
        var perm = randperm(c.Val.X.size(0), generator: new torch.Generator((ulong)c.Config.Seed));
        var xSrc = c.Val.X.to(device);
        var ySrc = c.Val.Y.to(device);
        var xRef = xSrc.index_select(0, perm.to(device));
        var yRef = ySrc.index_select(0, perm.to(device));
        c.Trainer.Ema.Train(false);
        try
        {
            // The official images need F and E; the ablation variants without style codes have their own.
            LastWritten = c.Trainer.Ema.Model.HasReferences()
                ? DebugImages.Write(c.Trainer.Ema, xSrc, ySrc, xRef, yRef, c.Config.Model.LatentDim, outsPerDomain,
                                    c.Step, c.Run.SampleDir, rng, c.Trainer.Masker)
                : VariantSamples.Write(c.Trainer.Ema, xSrc, ySrc, yRef, c.Config.Model.LatentDim, outsPerDomain,
                                       c.Step, c.Run.SampleDir, rng, c.Trainer.Masker);
        }
        catch (IOException e)
        {
            throw new IOException($"could not write the samples of step {c.Step} to {c.Run.SampleDir}: {e.Message}", e);
        }
    }
}
