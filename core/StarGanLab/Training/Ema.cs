using static TorchSharp.torch;

namespace StarGanLab.Training;

/// <summary>Exponential moving average of weights (paper section 4: beta 0.999), in place under no_grad.
/// Parameters only, as the official moving_average (buffers such as hpf.filter are constants).</summary>
public static class Ema
{
    public static void Update(nn.Module net, nn.Module ema, double beta)
    {
        using var _ = no_grad();
        // torch.lerp(p, ema, beta) with beta >= 0.5 evaluates ema - (ema - p) * (1 - beta), (1 - beta) rounded
        // in float32; the same expression in place keeps our EMA bit-compatible with the official one.
        double weight = 1 - (double)(float)beta;
        // Same architecture, so parameters pair up in registration order (as the official zip over parameters()).
        foreach (var (p, e) in net.parameters().Zip(ema.parameters()))
        {
            using var diff = e - p;
            e.sub_(diff.mul_(weight));
        }
    }
}
