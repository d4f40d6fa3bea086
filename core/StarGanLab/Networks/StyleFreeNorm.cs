using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StarGanLab.Networks;

/// <summary>The normalisation of a decoder block that receives no code (model.injection concat, StarGAN v1's
/// depth-wise concatenation): affine instance norm, as StarGAN v1's generator; the code argument is ignored.</summary>
public sealed class StyleFreeNorm : nn.Module<Tensor, Tensor, Tensor>
{
    readonly InstanceNorm2d norm;

    public StyleFreeNorm(long numFeatures) : base(nameof(StyleFreeNorm))
    {
        norm = nn.InstanceNorm2d(numFeatures, affine: true);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor s) => norm.call(x);
}
