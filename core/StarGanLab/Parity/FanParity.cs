using StarGanLab.Networks;
using static TorchSharp.torch;

namespace StarGanLab.Parity;

/// <summary>The FAN and the face-mask path against a fixture holding wing.ckpt (layout of shared/parity/hpf):
/// raw heatmaps, the two masks of get_heatmap, and the generator run with OUR masks.</summary>
public static class FanParity
{
    public const string WingFile = "wing.ckpt";

    /// <summary>Raw heatmaps: a 60-conv network in float32 whose kernels differ between libtorch versions.</summary>
    public const double HeatmapTolerance = 1e-4;

    /// <summary>A mask pixel "differs" when it moves by more than this.</summary>
    public const double MaskPixelTolerance = 1e-3;

    /// <summary>Largest fraction of differing mask pixels that still passes. preprocess cuts raw values at 0.1, so a
    /// raw value within float32 noise of 0.1 (the fixture has 19 within 1e-6 of 0.1 among 25.7M) can land on the other
    /// side and change its pixel (and the pixels a part shift moves it to) by up to ~0.1 of the normalised map.
    /// A wrong operation in preprocess changes a large fraction.</summary>
    public const double MaskFlipFraction = 1e-4;

    /// <summary>The generator fed with our masks: a flipped mask pixel feeds its change through the high-pass skip.</summary>
    public const double GeneratorTolerance = 1e-3;

    public static bool Applies(ParityFixture fx) => fx.Has(WingFile) && fx.Has("x_real.npy");

    public static List<ParityCheck> Run(ParityFixture fx, Action<string>? log = null)
    {
        using var gcHeldOff = new Native.NoGcRegion();   // see NoGcRegion: TorchSharp's implicit Scalars race the finalizer
        var checks = new List<ParityCheck>();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        using var fan = Fan.Load(fx.PathOf(WingFile), log ?? (_ => { }));
        var xReal = fx.Tensor("x_real");

        if (fx.Has("fan_raw_heatmaps.npy"))
        {
            var want = fx.Tensor("fan_raw_heatmaps");
            var raw = fan.RawHeatmaps(xReal).narrow(0, 0, want.size(0));
            checks.Add(ParityCheck.Compare("fan", "fan_raw_heatmaps", raw, want, HeatmapTolerance,
                $"first {want.size(0)} image(s) of the batch"));
        }

        var masks = fan.Masks(xReal);
        foreach (var (name, ours) in new[] { ("masks0", masks.Coarse), ("masks1", masks.Fine) })
            if (fx.Has(name + ".npy")) checks.Add(CompareMask(name, ours, fx.Tensor(name)));

        if (fx.Has("000000_generator.ckpt") && fx.Has("s_latent.npy") && fx.Has("x_fake_latent.npy"))
        {
            using var nets = FixtureCheckpoints.Load(fx, "000000_generator.ckpt", withDiscriminator: false, only: StarGanNets.GeneratorName);
            var xFake = nets.Generator.forward(xReal, fx.Tensor("s_latent"), masks);
            checks.Add(ParityCheck.Compare("generator (our masks)", "x_fake_latent", xFake, fx.Tensor("x_fake_latent"), GeneratorTolerance,
                "with masks from our FAN, not the stored ones: looser, as flipped mask pixels pass through the high-pass skips"));
        }
        return checks;
    }

    /// <summary>Masks are judged by the fraction of pixels off by more than <see cref="MaskPixelTolerance"/>
    /// (reported in the error column, against <see cref="MaskFlipFraction"/>), not by the largest error, which one
    /// pixel flipped at the 0.1 cut decides.</summary>
    static ParityCheck CompareMask(string name, Tensor ours, Tensor theirs)
    {
        using var scope = NewDisposeScope();
        if (!ours.shape.SequenceEqual(theirs.shape))
            return new ParityCheck("masks", name, double.PositiveInfinity, double.PositiveInfinity, 0, MaskFlipFraction, false,
                $"shape ({string.Join(",", ours.shape)}) vs expected ({string.Join(",", theirs.shape)})");
        var diff = (ours.cpu().to(float64) - theirs.to(float64)).abs();
        double maxAbs = diff.max().item<double>();
        long differing = (diff > MaskPixelTolerance).sum().item<long>();
        double fraction = (double)differing / diff.numel();
        bool finite = ours.isfinite().all().item<bool>();
        return new ParityCheck("masks", name, maxAbs, fraction, 1, MaskFlipFraction, finite && fraction <= MaskFlipFraction,
            $"err = fraction of pixels off by > {MaskPixelTolerance:G} ({differing} of {diff.numel()}); " +
            "values near preprocess's 0.1 cut can flip, so the max abs error is not the criterion");
    }
}
