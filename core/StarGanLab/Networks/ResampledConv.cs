using StarGanLab.Kernels;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Networks;

/// <summary>The residual blocks' resampling convolutions computed as the one convolution each pair equals.
/// A 3x3 convolution (padding 1) followed by 2x2 average pooling is a 4x4 convolution with stride 2 whose kernel is
/// the 3x3 kernel box-filtered: 4/9 of the multiply-adds. Nearest 2x upsampling followed by a 3x3 convolution gives
/// each of the four output pixels of a 2x2 cell a 2x2 convolution of the input with row and column sums of the
/// kernel: 16/36 of the multiply-adds, as one convolution with four times the output channels, interleaved.</summary>
/// <remarks>The kernels are built from the module's own 3x3 weight on every call, so checkpoints, the optimizers and
/// autograd (R1's double backward included) see the official parameters, and values differ from the two-step form
/// only in float rounding (the sums are taken in another order). Measured on 2 Zen 4 cores, forward+backward:
/// 4x256x64x64 conv+pool 328 -> 164 ms, 4x512x32x32 309 -> 185 ms; 4x512x32x32 upsample+conv to 256 channels
/// 589 -> 317 ms, 4x512x16x16 302 -> 229 ms. Below the size thresholds the fused form is not faster (4x512x16x16
/// conv+pool 78 -> 84 ms, 8x256x8x8 upsample+conv 36 -> 37 ms), so the two-step form is kept there.</remarks>
public static class ResampledConv
{
    const long MinPoolInput = 32, MinUpsampleInput = 16;

    /// <summary>avg_pool2d(conv(x), 2) for a 3x3, stride 1, padding 1 convolution.</summary>
    public static Tensor ThenPool(Conv conv, Tensor x)
    {
        long h = x.size(2), w = x.size(3);
        if (Math.Min(h, w) < MinPoolInput || h % 2 != 0 || w % 2 != 0)
            return HalfPool.Apply(conv.call(x));
        using var scope = NewDisposeScope();
        // k4[m, n] = (k[m-1, n-1] + k[m-1, n] + k[m, n-1] + k[m, n]) / 4, with k zero outside 0..2, as sums of
        // neighbouring rows, then columns: libtorch's avg_pool2d (stride 1) takes 38 ms forward + backward on a
        // 512x512 kernel where these take 22, and at official widths the kernels are as large as the activations.
        var padded = F.pad(conv.weight!, [1, 1, 1, 1]);
        var rows = padded.narrow(2, 0, 4) + padded.narrow(2, 1, 4);
        var k4 = (rows.narrow(3, 0, 4) + rows.narrow(3, 1, 4)) * 0.25;
        return ConvKernel.Apply(x, k4, conv.bias, stride: 2, padding: 1).MoveToOuterDisposeScope();
    }

    /// <summary>conv(upsample(x)) for nearest 2x upsampling and a 3x3, stride 1, padding 1 convolution.</summary>
    public static Tensor Upsampled(Conv conv, Tensor x)
    {
        long b = x.size(0), h = x.size(2), w = x.size(3);
        if (Math.Min(h, w) < MinUpsampleInput)
            return conv.call(NearestUpsample.Twice(x));
        using var scope = NewDisposeScope();
        var k = conv.weight!;
        long cout = k.size(0);
        // Output row 2p reads input rows p-1 (kernel row 0) and p (rows 1 + 2); row 2p+1 reads p (rows 0 + 1) and
        // p+1 (row 2). taps[phase, tap, kernel row] says which kernel rows each tap sums; columns likewise.
        using var taps = tensor(new float[] { 1, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1 }, [2, 2, 3], dtype: k.dtype, device: k.device);
        var k2 = einsum("rau,oiuv,cbv->rcoiab", taps, k, taps).reshape(4 * cout, k.size(1), 2, 2);
        // With padding 1 a 2x2 kernel gives (h+1) x (w+1) outputs; phase (r, c) is the window starting at (r, c) of
        // the output channels of block (r, c). One strided view holds all four phases: stepping a phase index moves
        // one block of channels and one row (or column) at once. Interleaving them is then one copy, and autograd's
        // backward of the view is one strided copy too, where slicing each phase apart costs a zero-filled tensor
        // of the whole output per phase and their sum.
        var all = ConvKernel.Apply(x, k2, conv.bias?.repeat(4), padding: 1);
        long sb = all.stride(0), sc = all.stride(1), sh = all.stride(2), sw = all.stride(3);
        var phases = all.as_strided([b, 2, 2, cout, h, w], [sb, 2 * cout * sc + sh, cout * sc + sw, sc, sh, sw], all.storage_offset());
        return phases.permute(0, 3, 4, 1, 5, 2).reshape(b, cout, 2 * h, 2 * w).MoveToOuterDisposeScope();   // (b, cout, h, r, w, c)
    }
}
