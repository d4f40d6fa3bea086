using StarGanLab.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static TorchSharp.torch.nn.functional;

namespace StarGanLab.Metrics;

/// <summary>torchvision's inception_v3 with its state_dict keys. <see cref="forward"/> returns the 2048-d pool
/// features as the official metrics/fid.py takes them (blocks 1-4 up to the global average pool; no
/// transform_input, no dropout, no fc).</summary>
public sealed class InceptionV3 : Module<Tensor, Tensor>
{
    public const int FeatureDim = 2048;

    readonly BasicConv2d Conv2d_1a_3x3, Conv2d_2a_3x3, Conv2d_2b_3x3, Conv2d_3b_1x1, Conv2d_4a_3x3;
    readonly InceptionA Mixed_5b, Mixed_5c, Mixed_5d;
    readonly InceptionB Mixed_6a;
    readonly InceptionC Mixed_6b, Mixed_6c, Mixed_6d, Mixed_6e;
    readonly InceptionAux AuxLogits;
    readonly InceptionD Mixed_7a;
    readonly InceptionE Mixed_7b, Mixed_7c;
    readonly Linear fc;

    public InceptionV3() : base("InceptionV3")
    {
        Conv2d_1a_3x3 = new(3, 32, 3, stride: 2);
        Conv2d_2a_3x3 = new(32, 32, 3);
        Conv2d_2b_3x3 = new(32, 64, 3, padding: 1);
        Conv2d_3b_1x1 = new(64, 80, 1);
        Conv2d_4a_3x3 = new(80, 192, 3);
        Mixed_5b = new(192, 32);
        Mixed_5c = new(256, 64);
        Mixed_5d = new(288, 64);
        Mixed_6a = new(288);
        Mixed_6b = new(768, 128);
        Mixed_6c = new(768, 160);
        Mixed_6d = new(768, 160);
        Mixed_6e = new(768, 192);
        AuxLogits = new(768, 1000);
        Mixed_7a = new(768);
        Mixed_7b = new(1280);
        Mixed_7c = new(2048);
        fc = Linear(2048, 1000);
        RegisterComponents();
    }

    /// <summary>(N, 2048) pool features of ImageNet-normalised (N, 3, 299, 299) input.</summary>
    public override Tensor forward(Tensor x)
    {
        x = Pools.Max3s2(Conv2d_2b_3x3.call(Conv2d_2a_3x3.call(Conv2d_1a_3x3.call(x))));
        x = Pools.Max3s2(Conv2d_4a_3x3.call(Conv2d_3b_1x1.call(x)));
        foreach (var block in new Module<Tensor, Tensor>[] { Mixed_5b, Mixed_5c, Mixed_5d, Mixed_6a, Mixed_6b, Mixed_6c, Mixed_6d, Mixed_6e, Mixed_7a, Mixed_7b, Mixed_7c })
            x = block.call(x);
        return adaptive_avg_pool2d(x, [1, 1]).flatten(1);
    }

    /// <summary>Loads torchvision's inception_v3 ImageNet state dict (strictly: every key and shape).</summary>
    public static InceptionV3 Load(string path, Device device)
    {
        var net = new InceptionV3();
        try
        {
            var sd = OfficialCheckpoint.ReadStateDict(path);
            StateDicts.LoadStrict(net, sd, path);
            foreach (var t in sd.Values) t.Dispose();
            net.to(device);
            net.eval();
            return net;
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }
}
