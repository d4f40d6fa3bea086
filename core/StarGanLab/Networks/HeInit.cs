using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StarGanLab.Networks;

/// <summary>The official he_init: Kaiming normal (fan_in, ReLU gain) for every Conv2d and Linear weight,
/// zero biases. Other parameters (instance-norm affine) keep their defaults (ones / zeros).</summary>
public static class HeInit
{
    /// <summary>Draws from <paramref name="rng"/>, never torch's global generator: that one is process-wide, so
    /// anything else drawing from it meanwhile (another session in a notebook, a test beside this one) would move
    /// the initial weights of a seeded run.</summary>
    public static void Apply(nn.Module network, TorchSharp.torch.Generator rng)
    {
        using var _ = no_grad();
        foreach (var (_, module) in network.named_modules())
        {
            (Tensor? weight, Tensor? bias) = module switch
            {
                Conv c => (c.weight, c.bias),
                Linear l => (l.weight, l.bias),
                _ => (null, null),
            };
            if (weight is null) continue;
            long fanIn = weight.numel() / weight.size(0);
            weight.normal_(0, Math.Sqrt(2.0 / fanIn), generator: rng);   // gain sqrt(2) over sqrt(fan_in)
            bias?.zero_();
        }
    }
}
