using StarGanLab.Kernels;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StarGanLab.Networks;

/// <summary>nn.Conv2d with square kernel, stride and padding, whose forward goes through <see cref="ConvKernel"/> so
/// that the kernel guard can route it around libtorch's faulty oneDNN shapes. Parameters are named as nn.Conv2d's
/// (<c>weight</c>, <c>bias</c>), so state_dict keys and official checkpoints are unchanged.</summary>
public sealed class Conv : nn.Module<Tensor, Tensor>
{
    public Parameter weight;
    public Parameter? bias;
    public long Stride { get; }
    public long Padding { get; }

    public Conv(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, bool bias = true)
        : base(nameof(Conv))
    {
        Stride = stride;
        Padding = padding;
        // PyTorch's default init (kaiming_uniform with a = sqrt(5), bias uniform in +-1/sqrt(fan_in)); networks that
        // train are He-initialised over it (HeInit), pretrained ones load their weights.
        long fanIn = inChannels * kernelSize * kernelSize;
        double bound = 1 / Math.Sqrt(fanIn);
        weight = new Parameter(empty(outChannels, inChannels, kernelSize, kernelSize).uniform_(-bound, bound));
        this.bias = bias ? new Parameter(empty(outChannels).uniform_(-bound, bound)) : null;
        RegisterComponents();
    }

    public long InChannels => weight.size(1);
    public long OutChannels => weight.size(0);

    public override Tensor forward(Tensor x) => ConvKernel.Apply(x, weight, bias, Stride, Padding);
}
