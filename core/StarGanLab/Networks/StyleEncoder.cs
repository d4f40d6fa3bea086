using StarGanLab.Config;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StarGanLab.Networks;

/// <summary>E(x, y): a shared convolutional trunk and one linear head per domain; extracts the style
/// code of reference image x in domain y (paper section 3, Style encoder).</summary>
public sealed class StyleEncoder : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Sequential shared;
    readonly ModuleList<Linear> unshared;

    public StyleEncoder(int imgSize = 256, int styleDim = 64, int numDomains = 2, int maxConvDim = 512, int widthConst = 16384)
        : base(nameof(StyleEncoder))
    {
        (shared, long dimOut) = DownsamplingTrunk.Build(imgSize, maxConvDim, widthConst);
        unshared = nn.ModuleList(Enumerable.Range(0, numDomains).Select(_ => nn.Linear(dimOut, styleDim)).ToArray());
        RegisterComponents();
    }

    /// <summary>The official per-domain style encoder; with style_source latent, the domain-shared latent encoder
    /// of Table 1 (D): one head of latent_dim (call it with y = 0).</summary>
    public static StyleEncoder Create(ModelConfig m) => m.StyleSource == StyleCode.Latent
        ? new(m.ImgSize, m.LatentDim, 1, m.MaxConvDim, m.WidthConst)
        : new(m.ImgSize, m.StyleDim, m.NumDomains, m.MaxConvDim, m.WidthConst);

    public override Tensor forward(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        var h = shared.call(x);
        h = h.view(h.size(0), -1);
        var outs = stack(unshared.Select(head => head.call(h)).ToArray(), dim: 1);   // (B, D, style_dim)
        return DomainHeads.Select(outs, y).MoveToOuterDisposeScope();
    }
}
