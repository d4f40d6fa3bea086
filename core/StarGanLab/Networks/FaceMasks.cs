using static TorchSharp.torch;

namespace StarGanLab.Networks;

/// <summary>The two FAN heatmap masks of the official get_heatmap, (B, 1, 256, 256) each:
/// <paramref name="Coarse"/> gates skip features at 32x32, <paramref name="Fine"/> those at 64x64 and 128x128.</summary>
public sealed record FaceMasks(Tensor Coarse, Tensor Fine)
{
    public Tensor ForSize(long size) => size == 32 ? Coarse : Fine;
}
