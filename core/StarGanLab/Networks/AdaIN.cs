using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StarGanLab.Networks;

/// <summary>Adaptive instance normalisation: (1 + gamma(s)) * IN(x) + beta(s) (paper section 3, Generator).</summary>
public sealed class AdaIN : nn.Module<Tensor, Tensor, Tensor>
{
    readonly InstanceNorm2d norm;
    readonly Linear fc;

    public AdaIN(long styleDim, long numFeatures) : base(nameof(AdaIN))
    {
        norm = nn.InstanceNorm2d(numFeatures, affine: false);
        fc = nn.Linear(styleDim, numFeatures * 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor s)
    {
        using var scope = NewDisposeScope();
        var h = fc.call(s);
        h = h.view(h.size(0), h.size(1), 1, 1);
        var gb = h.chunk(2, dim: 1);   // (gamma, beta), each (B, C, 1, 1)
        return ((1 + gb[0]) * norm.call(x) + gb[1]).MoveToOuterDisposeScope();
    }
}
