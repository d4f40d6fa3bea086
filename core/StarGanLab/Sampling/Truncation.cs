using StarGanLab.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Sampling;

/// <summary>The truncation trick of the official latent-guided sampling: a style from the mapping network is pulled
/// towards its domain's average style, s = lerp(s_avg, s, psi). psi 1 leaves it as it is, psi 0 gives the average.</summary>
public static class Truncation
{
    /// <summary>Codes averaged per domain, as the official translate_using_latent / video_latent.</summary>
    public const int AverageOver = 10000;

    /// <summary>Mean style of <paramref name="domain"/> over <see cref="AverageOver"/> latent codes drawn from
    /// <paramref name="rng"/>: shape (1, style_dim), on the networks' device.</summary>
    public static Tensor StyleAverage(StarGanNets ema, int domain, torch.Generator rng)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        using var gcHeldOff = new Native.NoGcRegion();   // TorchSharp's implicit Scalars race the finalizer (see NoGcRegion)
        var device = ema.Generator.parameters().First().device;
        // One forward over all 10,000 codes: the mapping network is a small MLP, so this is one cheap batch.
        var z = randn([AverageOver, ema.Model.LatentDim], generator: rng).to(device);
        var s = ema.LatentStyle(z, full(AverageOver, domain, dtype: int64, device: device));
        return s.mean([0], keepdim: true).MoveToOuterDisposeScope();
    }

    /// <summary>The average style of a model's domain as <c>sample</c> and <c>translate</c> use it: drawn from its own
    /// generator (seeded by the run's seed and the domain), so it is a property of the model, the same for every
    /// latent seed, and psi 0 gives one image whatever the seed.</summary>
    public static Tensor StyleAverage(StarGanNets ema, int domain, long runSeed) =>
        StyleAverage(ema, domain, new torch.Generator(unchecked((ulong)(runSeed * 1000003L + domain))));

    /// <summary>lerp(sAvg, s, psi) with <paramref name="sAvg"/> (1, style_dim) broadcast over the rows of <paramref name="s"/>.</summary>
    public static Tensor Apply(Tensor sAvg, Tensor s, double psi) => lerp(sAvg.expand_as(s), s, psi);

    /// <summary>psi must lie in [0, 1]: outside it the style is extrapolated away from (or past) the average.</summary>
    public static void Validate(double psi)
    {
        if (!(psi >= 0 && psi <= 1))
            throw new ArgumentException($"psi {psi}: expected a truncation between 0 (the domain's average style) and 1 (no truncation)");
    }
}
