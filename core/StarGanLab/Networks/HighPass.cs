using StarGanLab.Kernels;
using static TorchSharp.torch;

namespace StarGanLab.Networks;

/// <summary>Depthwise 3x3 Laplacian scaled by 1/w_hpf, applied to FAN-masked encoder features so that
/// only high-frequency detail (identity cues of faces) is passed to the decoder.</summary>
public sealed class HighPass : nn.Module<Tensor, Tensor>
{
    // A buffer, not a parameter: the official checkpoints store it as "hpf.filter".
    readonly Tensor filter;

    public HighPass(double wHpf) : base(nameof(HighPass))
    {
        using var laplacian = tensor(new float[] { -1, -1, -1, -1, 8, -1, -1, -1, -1 }).view(3, 3);
        filter = (laplacian / wHpf).to(float32);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        long c = x.size(1);
        var w = filter.unsqueeze(0).unsqueeze(1).repeat(c, 1, 1, 1);   // (C, 1, 3, 3): one filter per channel
        return ConvKernel.Apply(x, w, null, padding: 1, groups: c).MoveToOuterDisposeScope();
    }
}
