using StarGanLab.Config;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StarGanLab.Networks;

/// <summary>D(x, y): multi-task discriminator, one real/fake logit per domain; returns the logit of each
/// sample's domain (paper section 3, Discriminator).</summary>
public sealed class Discriminator : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Sequential main;

    public Discriminator(int imgSize = 256, int numDomains = 2, int maxConvDim = 512, int widthConst = 16384)
        : base(nameof(Discriminator))
    {
        var (trunk, dimOut) = DownsamplingTrunk.Build(imgSize, maxConvDim, widthConst);
        // The official D is one Sequential: the trunk's layers followed by the 1x1 head conv (keys main.0 ... main.N).
        var layers = trunk.children().Cast<nn.Module<Tensor, Tensor>>().ToList();
        layers.Add(nn.Conv2d(dimOut, numDomains, 1, 1, 0));
        main = nn.Sequential(layers.ToArray());
        RegisterComponents();
    }

    public static Discriminator Create(ModelConfig m) => new(m.ImgSize, m.NumDomains, m.MaxConvDim, m.WidthConst);

    public override Tensor forward(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        var logits = main.call(x);
        logits = logits.view(logits.size(0), -1);   // (B, num_domains)
        return DomainHeads.Select(logits, y).MoveToOuterDisposeScope();
    }
}
