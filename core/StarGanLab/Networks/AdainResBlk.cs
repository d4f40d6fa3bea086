using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Networks;

/// <summary>Decoder residual block with AdaIN and optional nearest upsampling. With w_hpf &gt; 0 the
/// official block drops its shortcut (output = residual only); conv1x1 is still built and kept in the
/// state_dict for checkpoint compatibility although forward never uses it then. With styleDim 0 (injection concat)
/// the block has no AdaIN: its norms are affine instance norms that ignore the code.</summary>
public sealed class AdainResBlk : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Conv conv1;
    readonly Conv conv2;
    readonly nn.Module<Tensor, Tensor, Tensor> norm1;
    readonly nn.Module<Tensor, Tensor, Tensor> norm2;
    readonly nn.Module<Tensor, Tensor> conv1x1;
    readonly bool upsample;
    readonly bool shortcut;

    public AdainResBlk(long dimIn, long dimOut, long styleDim = 64, double wHpf = 0, bool upsample = false)
        : base(nameof(AdainResBlk))
    {
        conv1 = new Conv(dimIn, dimOut, 3, 1, 1);
        conv2 = new Conv(dimOut, dimOut, 3, 1, 1);
        norm1 = styleDim > 0 ? new AdaIN(styleDim, dimIn) : new StyleFreeNorm(dimIn);
        norm2 = styleDim > 0 ? new AdaIN(styleDim, dimOut) : new StyleFreeNorm(dimOut);
        conv1x1 = dimIn != dimOut ? new Conv(dimIn, dimOut, 1, 1, 0, bias: false) : nn.Identity();
        this.upsample = upsample;
        shortcut = wHpf == 0;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor s)
    {
        using var scope = NewDisposeScope();
        var h = F.leaky_relu(norm1.call(x, s), 0.2);
        h = upsample ? ResampledConv.Upsampled(conv1, h) : conv1.call(h);
        h = F.leaky_relu(norm2.call(h, s), 0.2);
        h = conv2.call(h);
        if (shortcut)
        {
            // Upsampling after the 1x1 convolution is the same linear map on a quarter of the pixels.
            var sc = upsample ? NearestUpsample.Twice(conv1x1.call(x)) : conv1x1.call(x);
            h = (h + sc) / Math.Sqrt(2);
        }
        return h.MoveToOuterDisposeScope();
    }
}
