using StarGanLab.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Networks;

/// <summary>The face masks of the official nets.fan.get_heatmap, from a FAN in eval mode (no gradients flow into
/// the masks, as the official @torch.no_grad). Owns the FAN.</summary>
public sealed class FanMasker : IFaceMasker, IDisposable
{
    public Fan Fan { get; }

    public FanMasker(Fan fan)
    {
        Fan = fan;
        Fan.eval();
    }

    /// <summary>Loads the FAN from an official wing checkpoint onto <paramref name="device"/> (see <see cref="Fan.Load"/>).</summary>
    public static FanMasker Load(string wingPath, Device device, Action<string> log)
    {
        if (wingPath.Trim().Length == 0)
            throw new ArgumentException("fan.wing_path: required when model.w_hpf > 0 (the high-pass masks come from the FAN, wing.ckpt); " +
                                        "set it in the run's config.yaml or give --set fan.wing_path=FILE");
        var fan = Fan.Load(wingPath, log);
        fan.to(device);
        foreach (var p in fan.parameters()) p.requires_grad_(false);
        return new FanMasker(fan);
    }

    public FaceMasks Masks(Tensor images) => Fan.Masks(images);

    public void Dispose() => Fan.Dispose();
}
