using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Networks;

/// <summary>The FAN's hourglass (Newell et al. 2016) as the official wing.py builds it: a CoordConv 1x1 projection,
/// then per level an upper branch (b1_L) at the current size and a lower branch (b2_L, the next level or b2_plus_1
/// at the bottom, then b3_L) at half size, upsampled (nearest) and added. Blocks are named b1_L, b2_L, b2_plus_1,
/// b3_L for level L = depth..1 and registered in the official recursive order, which fixes the state_dict order.</summary>
public sealed class HourGlass : nn.Module<Tensor, Tensor>
{
    readonly CoordConv coordconv;
    readonly Dictionary<string, ConvBlock> blocks = new();   // registered explicitly under their official names
    readonly int depth;

    public HourGlass(int depth, long features) : base(nameof(HourGlass))
    {
        this.depth = depth;
        coordconv = new CoordConv(features, features, kernelSize: 1, stride: 1, padding: 0);
        register_module(nameof(coordconv), coordconv);
        AddLevel(depth, features);
        RegisterComponents();
    }

    void AddLevel(int level, long features)
    {
        Add($"b1_{level}", features);
        Add($"b2_{level}", features);
        if (level > 1) AddLevel(level - 1, features);
        else Add($"b2_plus_{level}", features);
        Add($"b3_{level}", features);
    }

    void Add(string name, long features)
    {
        var block = new ConvBlock(features, features);
        blocks[name] = block;
        register_module(name, block);
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return Level(depth, coordconv.call(x)).MoveToOuterDisposeScope();
    }

    Tensor Level(int level, Tensor x)
    {
        var up1 = blocks[$"b1_{level}"].call(x);
        var low1 = blocks[$"b2_{level}"].call(F.avg_pool2d(x, 2, 2));
        var low2 = level > 1 ? Level(level - 1, low1) : blocks[$"b2_plus_{level}"].call(low1);
        var low3 = blocks[$"b3_{level}"].call(low2);
        var up2 = NearestUpsample.Twice(low3);
        return up1 + up2;
    }
}
