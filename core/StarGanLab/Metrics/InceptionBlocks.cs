using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static TorchSharp.torch.nn.functional;

namespace StarGanLab.Metrics;

// The blocks of torchvision's Inception3 (Szegedy et al. 2016, "Rethinking the Inception architecture"), with
// torchvision's module names so its inception_v3 state dict loads strictly. Fields are declared in torchvision's
// registration order, which is the state_dict order.

/// <summary>Convolution without bias, batch norm (eps 0.001) and ReLU.</summary>
public sealed class BasicConv2d : Module<Tensor, Tensor>
{
    readonly Conv2d conv;
    readonly BatchNorm2d bn;

    public BasicConv2d(long cin, long cout, (long, long) kernel, (long, long)? stride = null, (long, long)? padding = null) : base("BasicConv2d")
    {
        conv = Conv2d(cin, cout, kernel, stride: stride ?? (1, 1), padding: padding ?? (0, 0), bias: false);
        bn = BatchNorm2d(cout, eps: 0.001);
        RegisterComponents();
    }

    public BasicConv2d(long cin, long cout, long kernel, long stride = 1, long padding = 0)
        : this(cin, cout, (kernel, kernel), (stride, stride), (padding, padding)) { }

    public override Tensor forward(Tensor x) => relu(bn.call(conv.call(x)));
}

static class Pools
{
    // torchvision: avg_pool2d(3, stride 1, padding 1) with count_include_pad left True.
    public static Tensor Avg3(Tensor x) => avg_pool2d(x, 3, stride: 1, padding: 1);
    public static Tensor Max3s2(Tensor x) => max_pool2d(x, 3, stride: 2);
}

public sealed class InceptionA : Module<Tensor, Tensor>
{
    readonly BasicConv2d branch1x1, branch5x5_1, branch5x5_2, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3, branch_pool;

    public InceptionA(long cin, long poolFeatures) : base("InceptionA")
    {
        branch1x1 = new(cin, 64, 1);
        branch5x5_1 = new(cin, 48, 1);
        branch5x5_2 = new(48, 64, 5, padding: 2);
        branch3x3dbl_1 = new(cin, 64, 1);
        branch3x3dbl_2 = new(64, 96, 3, padding: 1);
        branch3x3dbl_3 = new(96, 96, 3, padding: 1);
        branch_pool = new(cin, poolFeatures, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => cat([
        branch1x1.call(x),
        branch5x5_2.call(branch5x5_1.call(x)),
        branch3x3dbl_3.call(branch3x3dbl_2.call(branch3x3dbl_1.call(x))),
        branch_pool.call(Pools.Avg3(x))], 1);
}

public sealed class InceptionB : Module<Tensor, Tensor>
{
    readonly BasicConv2d branch3x3, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3;

    public InceptionB(long cin) : base("InceptionB")
    {
        branch3x3 = new(cin, 384, 3, stride: 2);
        branch3x3dbl_1 = new(cin, 64, 1);
        branch3x3dbl_2 = new(64, 96, 3, padding: 1);
        branch3x3dbl_3 = new(96, 96, 3, stride: 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => cat([
        branch3x3.call(x),
        branch3x3dbl_3.call(branch3x3dbl_2.call(branch3x3dbl_1.call(x))),
        Pools.Max3s2(x)], 1);
}

public sealed class InceptionC : Module<Tensor, Tensor>
{
    readonly BasicConv2d branch1x1, branch7x7_1, branch7x7_2, branch7x7_3,
        branch7x7dbl_1, branch7x7dbl_2, branch7x7dbl_3, branch7x7dbl_4, branch7x7dbl_5, branch_pool;

    public InceptionC(long cin, long c7) : base("InceptionC")
    {
        branch1x1 = new(cin, 192, 1);
        branch7x7_1 = new(cin, c7, 1);
        branch7x7_2 = new(c7, c7, (1, 7), padding: (0, 3));
        branch7x7_3 = new(c7, 192, (7, 1), padding: (3, 0));
        branch7x7dbl_1 = new(cin, c7, 1);
        branch7x7dbl_2 = new(c7, c7, (7, 1), padding: (3, 0));
        branch7x7dbl_3 = new(c7, c7, (1, 7), padding: (0, 3));
        branch7x7dbl_4 = new(c7, c7, (7, 1), padding: (3, 0));
        branch7x7dbl_5 = new(c7, 192, (1, 7), padding: (0, 3));
        branch_pool = new(cin, 192, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => cat([
        branch1x1.call(x),
        branch7x7_3.call(branch7x7_2.call(branch7x7_1.call(x))),
        branch7x7dbl_5.call(branch7x7dbl_4.call(branch7x7dbl_3.call(branch7x7dbl_2.call(branch7x7dbl_1.call(x))))),
        branch_pool.call(Pools.Avg3(x))], 1);
}

public sealed class InceptionD : Module<Tensor, Tensor>
{
    readonly BasicConv2d branch3x3_1, branch3x3_2, branch7x7x3_1, branch7x7x3_2, branch7x7x3_3, branch7x7x3_4;

    public InceptionD(long cin) : base("InceptionD")
    {
        branch3x3_1 = new(cin, 192, 1);
        branch3x3_2 = new(192, 320, 3, stride: 2);
        branch7x7x3_1 = new(cin, 192, 1);
        branch7x7x3_2 = new(192, 192, (1, 7), padding: (0, 3));
        branch7x7x3_3 = new(192, 192, (7, 1), padding: (3, 0));
        branch7x7x3_4 = new(192, 192, 3, stride: 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => cat([
        branch3x3_2.call(branch3x3_1.call(x)),
        branch7x7x3_4.call(branch7x7x3_3.call(branch7x7x3_2.call(branch7x7x3_1.call(x)))),
        Pools.Max3s2(x)], 1);
}

public sealed class InceptionE : Module<Tensor, Tensor>
{
    readonly BasicConv2d branch1x1, branch3x3_1, branch3x3_2a, branch3x3_2b,
        branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3a, branch3x3dbl_3b, branch_pool;

    public InceptionE(long cin) : base("InceptionE")
    {
        branch1x1 = new(cin, 320, 1);
        branch3x3_1 = new(cin, 384, 1);
        branch3x3_2a = new(384, 384, (1, 3), padding: (0, 1));
        branch3x3_2b = new(384, 384, (3, 1), padding: (1, 0));
        branch3x3dbl_1 = new(cin, 448, 1);
        branch3x3dbl_2 = new(448, 384, 3, padding: 1);
        branch3x3dbl_3a = new(384, 384, (1, 3), padding: (0, 1));
        branch3x3dbl_3b = new(384, 384, (3, 1), padding: (1, 0));
        branch_pool = new(cin, 192, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var b3 = branch3x3_1.call(x);
        var d3 = branch3x3dbl_2.call(branch3x3dbl_1.call(x));
        return cat([
            branch1x1.call(x),
            cat([branch3x3_2a.call(b3), branch3x3_2b.call(b3)], 1),
            cat([branch3x3dbl_3a.call(d3), branch3x3dbl_3b.call(d3)], 1),
            branch_pool.call(Pools.Avg3(x))], 1);
    }
}

/// <summary>The auxiliary classifier; never run here, present so the torchvision file loads strictly.</summary>
public sealed class InceptionAux : Module<Tensor, Tensor>
{
    readonly BasicConv2d conv0, conv1;
    readonly Linear fc;

    public InceptionAux(long cin, long classes) : base("InceptionAux")
    {
        conv0 = new(cin, 128, 1);
        conv1 = new(128, 768, 5);
        fc = Linear(768, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        fc.call(flatten(adaptive_avg_pool2d(conv1.call(conv0.call(avg_pool2d(x, 5, stride: 3))), [1, 1]), 1));
}
