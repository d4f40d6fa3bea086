using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Networks;

/// <summary>The FAN's hierarchical residual block (Bulat and Tzimiropoulos): three pre-activation 3x3 convs of
/// out/2, out/4 and out/4 channels whose outputs are concatenated (out channels), plus the input, projected by
/// BN-ReLU-1x1 conv when the width changes. Convs have no bias (BatchNorm follows).</summary>
public sealed class ConvBlock : nn.Module<Tensor, Tensor>
{
    // Field order = official registration order, which fixes the state_dict order.
    readonly BatchNorm2d bn1;
    readonly Conv conv1;
    readonly BatchNorm2d bn2;
    readonly Conv conv2;
    readonly BatchNorm2d bn3;
    readonly Conv conv3;
    readonly nn.Module<Tensor, Tensor> downsample;   // identity when the width is kept (official: None, no keys)

    public ConvBlock(long inPlanes, long outPlanes) : base(nameof(ConvBlock))
    {
        long half = outPlanes / 2, quarter = outPlanes / 4;
        bn1 = nn.BatchNorm2d(inPlanes);
        conv1 = new Conv(inPlanes, half, 3, 1, 1, bias: false);
        bn2 = nn.BatchNorm2d(half);
        conv2 = new Conv(half, quarter, 3, 1, 1, bias: false);
        bn3 = nn.BatchNorm2d(quarter);
        conv3 = new Conv(quarter, quarter, 3, 1, 1, bias: false);
        downsample = inPlanes != outPlanes
            ? nn.Sequential(nn.BatchNorm2d(inPlanes), nn.ReLU(), new Conv(inPlanes, outPlanes, 1, 1, 0, bias: false))
            : nn.Identity();
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var out1 = conv1.call(F.relu(bn1.call(x)));
        var out2 = conv2.call(F.relu(bn2.call(out1)));
        var out3 = conv3.call(F.relu(bn3.call(out2)));
        return (cat([out1, out2, out3], 1) + downsample.call(x)).MoveToOuterDisposeScope();
    }
}
