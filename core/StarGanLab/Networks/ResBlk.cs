using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Networks;

/// <summary>Pre-activation residual block of the encoder, style encoder and discriminator
/// (instance norm optional, average-pool downsampling optional), output scaled by 1/sqrt(2).</summary>
public sealed class ResBlk : nn.Module<Tensor, Tensor>
{
    // Field order = official registration order (_build_weights), which fixes the state_dict order.
    readonly Conv conv1;
    readonly Conv conv2;
    readonly nn.Module<Tensor, Tensor> norm1;
    readonly nn.Module<Tensor, Tensor> norm2;
    readonly nn.Module<Tensor, Tensor> conv1x1;
    readonly bool downsample;

    public ResBlk(long dimIn, long dimOut, bool normalize = false, bool downsample = false) : base(nameof(ResBlk))
    {
        conv1 = new Conv(dimIn, dimIn, 3, 1, 1);
        conv2 = new Conv(dimIn, dimOut, 3, 1, 1);
        norm1 = normalize ? nn.InstanceNorm2d(dimIn, affine: true) : nn.Identity();
        norm2 = normalize ? nn.InstanceNorm2d(dimIn, affine: true) : nn.Identity();
        conv1x1 = dimIn != dimOut ? new Conv(dimIn, dimOut, 1, 1, 0, bias: false) : nn.Identity();
        this.downsample = downsample;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        // Pooling before the 1x1 convolution is the same linear map on a quarter of the pixels.
        var sc = conv1x1.call(downsample ? HalfPool.Apply(x) : x);

        var h = F.leaky_relu(norm1.call(x), 0.2);
        h = downsample ? ResampledConv.ThenPool(conv1, h) : conv1.call(h);
        h = F.leaky_relu(norm2.call(h), 0.2);
        h = conv2.call(h);
        return ((sc + h) / Math.Sqrt(2)).MoveToOuterDisposeScope();  // unit variance
    }
}
