using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StarGanLab.Networks;

/// <summary>The official he_init: Kaiming normal (fan_in, ReLU gain) for every Conv2d and Linear weight,
/// zero biases. Other parameters (instance-norm affine) keep their defaults (ones / zeros).</summary>
public static class HeInit
{
    public static void Apply(nn.Module network)
    {
        using var _ = no_grad();
        foreach (var (_, module) in network.named_modules())
        {
            (Tensor? weight, Tensor? bias) = module switch
            {
                Conv2d c => (c.weight, c.bias),
                Linear l => (l.weight, l.bias),
                _ => (null, null),
            };
            if (weight is null) continue;
            nn.init.kaiming_normal_(weight, mode: nn.init.FanInOut.FanIn, nonlinearity: nn.init.NonlinearityType.ReLU);
            if (bias is not null) nn.init.zeros_(bias);
        }
    }
}
