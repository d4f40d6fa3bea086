using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StarGanLab.Networks;

/// <summary>CoordConv (Liu et al. 2018) as the FAN uses it (official CoordConvTh with with_r = true and no boundary
/// channels): the input is concatenated with its row and column coordinates in [-1, 1] and their normalised radius,
/// then convolved. Only the conv has weights ("conv.weight", "conv.bias"); the official AddCoordsTh holds no state.</summary>
public sealed class CoordConv : nn.Module<Tensor, Tensor>
{
    public const int ExtraChannels = 3;   // row, column, radius

    readonly Conv conv;

    public CoordConv(long inChannels, long outChannels, long kernelSize, long stride, long padding) : base(nameof(CoordConv))
    {
        conv = new Conv(inChannels + ExtraChannels, outChannels, kernelSize, stride, padding);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var coords = Coordinates(x.size(2), x.size(3), x.device).expand(x.size(0), -1, -1, -1);
        return conv.call(cat([x, coords], 1)).MoveToOuterDisposeScope();
    }

    /// <summary>(1, 3, H, W): channel 0 varies along rows, channel 1 along columns, both (i / (n - 1)) * 2 - 1, and
    /// channel 2 is their radius divided by its maximum. The official fixes H and W at construction (256 for the stem,
    /// 64 in the hourglass, the only sizes a 256 px input produces); computing them from the input is the same there.</summary>
    public static Tensor Coordinates(long height, long width, Device device)
    {
        using var scope = NewDisposeScope();
        var rows = arange(height, dtype: int64).unsqueeze(1).expand(height, width).to(float32);
        var cols = arange(width, dtype: int64).unsqueeze(0).expand(height, width).to(float32);
        rows = rows / (height - 1) * 2 - 1;
        cols = cols / (width - 1) * 2 - 1;
        var radius = sqrt(rows.pow(2) + cols.pow(2));
        radius = radius / radius.max();
        return stack([rows, cols, radius], 0).unsqueeze(0).to(device).MoveToOuterDisposeScope();
    }
}
