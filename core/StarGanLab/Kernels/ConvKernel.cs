using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Kernels;

/// <summary>A raw 2-D convolution (the arguments of F.conv2d with square stride and padding). The product uses
/// libtorch's; tests stand in a deliberately wrong one to prove that the self-check catches it.</summary>
public delegate Tensor RawConv(Tensor x, Tensor weight, Tensor? bias, long stride, long padding, long groups);

/// <summary>Every convolution of the networks goes through <see cref="Apply(Tensor, Tensor, Tensor?, long, long, long)"/>,
/// which routes it as <see cref="KernelRouting.Current"/> says.</summary>
public static class ConvKernel
{
    public static readonly RawConv Libtorch = (x, w, b, s, p, g) => F.conv2d(x, w, b, strides: [s, s], padding: [p, p], groups: g);

    // oneDNN's faulty kernels (measured on Zen 5, libtorch 2.10): any conv of 2x2 and larger whose out_channels is not a
    // multiple of 16 (input gradient, double backward), any whose in_channels is above 16 and not a multiple of 16
    // (forward), and the double backward of 1x1 convs unless the batch is a multiple of 16 (their forward and backward
    // are correct at any width). Inputs of up to 16 channels take another kernel that is correct, so images (3
    // channels) are not padded.
    const long Block = 16;

    [ThreadStatic] static List<ConvShape>? recorder;
    [ThreadStatic] static int twiceDifferentiated;
    [ThreadStatic] static int inBf16;

    /// <summary>Marks the convolutions recorded inside as ones autograd will differentiate twice (R1 and the gradient
    /// penalty run D on a real or mixed image and differentiate its input gradient). Only there does the padded
    /// route run 1x1 convolutions as matrix products: libtorch's 1x1 forward and backward are correct, only their
    /// double backward is wrong, and the matrix product costs time where it is not needed.</summary>
    public static IDisposable TwiceDifferentiated()
    {
        twiceDifferentiated++;
        return new Exit(() => twiceDifferentiated--);
    }

    /// <summary>Float32 convolutions this thread runs inside compute in bfloat16, as PyTorch's CPU autocast does:
    /// input, weight and bias are cast to bfloat16, the result back to float32, and autograd casts the gradients back
    /// through the same casts, so parameters and their gradients stay float32. Convolutions marked
    /// <see cref="TwiceDifferentiated"/> (R1, the gradient penalty) stay float32: see docs/precision.md.</summary>
    public static IDisposable InBf16()
    {
        inBf16++;
        return new Exit(() => inBf16--);
    }

    /// <summary><see cref="InBf16"/> for bf16, nothing for fp32 (train.precision).</summary>
    public static IDisposable? ComputeIn(Config.ComputePrecision precision) =>
        precision == Config.ComputePrecision.Bf16 ? InBf16() : null;

    /// <summary>Whether a float32 convolution called here would compute in bfloat16.</summary>
    public static bool Bf16Now => inBf16 > 0 && twiceDifferentiated == 0;

    sealed class Exit(Action leave) : IDisposable
    {
        bool done;
        public void Dispose()
        {
            if (done) return;
            done = true;
            leave();
        }
    }

    /// <summary>The convolution under the process's current route.</summary>
    public static Tensor Apply(Tensor x, Tensor weight, Tensor? bias, long stride = 1, long padding = 0, long groups = 1) =>
        Apply(x, weight, bias, stride, padding, groups, KernelRouting.Current, Libtorch);

    /// <summary>The convolution under an explicit route and raw kernel (the self-check's entry).</summary>
    public static Tensor Apply(Tensor x, Tensor weight, Tensor? bias, long stride, long padding, long groups,
                               ConvRoute route, RawConv raw)
    {
        recorder?.Add(new ConvShape(weight.size(1) * groups, weight.size(0), weight.size(2), stride, padding, groups, x.size(2), x.size(3)));
        if (Bf16Now && x.dtype == float32)
        {
            using var scope = NewDisposeScope();
            var y = Routed(x.to(bfloat16), weight.to(bfloat16), bias?.to(bfloat16), stride, padding, groups, route, raw);
            return y.to(float32).MoveToOuterDisposeScope();
        }
        return Routed(x, weight, bias, stride, padding, groups, route, raw);
    }

    static Tensor Routed(Tensor x, Tensor weight, Tensor? bias, long stride, long padding, long groups, ConvRoute route, RawConv raw)
    {
        if (route == ConvRoute.Native || groups != 1 || !x.is_floating_point() || x.dtype == float64 || x.device.type != TorchSharp.DeviceType.CPU)
            return raw(x, weight, bias, stride, padding, groups);
        return Padded(x, weight, bias, stride, padding, raw);
    }

    static Tensor Padded(Tensor x, Tensor weight, Tensor? bias, long stride, long padding, RawConv raw)
    {
        long cout = weight.size(0), cin = weight.size(1), k = weight.size(2);
        using var scope = NewDisposeScope();
        // bfloat16 kernels fail on more shapes (measured, same CPU): the forward of 2x2 and larger convs whose
        // out_channels is not a multiple of 16, and the input gradient whenever in_channels or (for 1x1) out_channels
        // is not one, images' 3 channels included. So in bfloat16 every channel count is padded, 1x1 convs too.
        bool bf16 = x.dtype == bfloat16;
        if (!bf16 && k == 1 && weight.size(3) == 1 && stride == 1 && padding == 0)
        {
            if (twiceDifferentiated == 0) return raw(x, weight, bias, stride, padding, 1).MoveToOuterDisposeScope();
            // A 1x1 convolution is a matrix product over channels; (cout, cin) @ (n, cin, hw) broadcasts over the batch.
            long n = x.size(0), h = x.size(2), w = x.size(3);
            var y = matmul(weight.view(cout, cin), x.reshape(n, cin, h * w)).view(n, cout, h, w);
            if (bias is not null) y = y + bias.view(1, cout, 1, 1);
            return y.MoveToOuterDisposeScope();
        }
        long cinP = (bf16 || cin > Block) && cin % Block != 0 ? RoundUp(cin) : cin;
        long coutP = cout % Block != 0 ? RoundUp(cout) : cout;
        if (cinP == cin && coutP == cout) return raw(x, weight, bias, stride, padding, 1).MoveToOuterDisposeScope();
        var wp = F.pad(weight, [0, 0, 0, 0, 0, cinP - cin, 0, coutP - cout]);   // zero taps: the same function
        var xp = cinP == cin ? x : F.pad(x, [0, 0, 0, 0, 0, cinP - cin]);
        var bp = bias is null ? null : F.pad(bias, [0, coutP - cout]);
        var yp = raw(xp, wp, bp, stride, padding, 1);
        return (coutP == cout ? yp : yp.narrow(1, 0, cout)).MoveToOuterDisposeScope();
    }

    static long RoundUp(long c) => (c + Block - 1) / Block * Block;

    /// <summary>Records the shape of every convolution this thread runs inside <paramref name="body"/>.</summary>
    public static List<ConvShape> Trace(Action body)
    {
        var previous = recorder;
        recorder = [];
        try { body(); return recorder; }
        finally { recorder = previous; }
    }
}

/// <summary>One convolution as the networks call it: channels, square kernel, stride, padding, groups and the input's size.</summary>
public sealed record ConvShape(long In, long Out, long Kernel, long Stride, long Padding, long Groups, long Height, long Width);
