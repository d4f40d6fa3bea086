using StarGanLab.Config;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StarGanLab.Networks;

/// <summary>D(x, y): multi-task discriminator, one real/fake logit per domain; returns the logit of each
/// sample's domain (paper section 3, Discriminator). With <c>classifier</c> it is StarGAN v1's ACGAN discriminator
/// instead (Table 1 (A)): the same trunk ending in one real/fake logit and num_domains classification logits.</summary>
public sealed class Discriminator : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Sequential main;
    readonly bool classifier;

    public Discriminator(int imgSize = 256, int numDomains = 2, int maxConvDim = 512, int widthConst = 16384, bool classifier = false)
        : base(nameof(Discriminator))
    {
        var (trunk, dimOut) = DownsamplingTrunk.Build(imgSize, maxConvDim, widthConst);
        // The official D is one Sequential: the trunk's layers followed by the 1x1 head conv (keys main.0 ... main.N).
        // The ACGAN head is the same 1x1 conv with 1 + num_domains outputs: channel 0 is D_src, the rest D_cls.
        var layers = trunk.children().Cast<nn.Module<Tensor, Tensor>>().ToList();
        layers.Add(new Conv(dimOut, classifier ? 1 + numDomains : numDomains, 1, 1, 0));
        main = nn.Sequential(layers.ToArray());
        this.classifier = classifier;
        RegisterComponents();
    }

    public static Discriminator Create(ModelConfig m) =>
        new(m.ImgSize, m.NumDomains, m.MaxConvDim, m.WidthConst, classifier: m.Discriminator == DiscriminatorHead.Classifier);

    /// <summary>The real/fake logit (B) of each sample for domain y (the classifier's single logit ignores y).</summary>
    public override Tensor forward(Tensor x, Tensor y) => Judge(x, y).Adv;

    /// <summary>The real/fake logit (B) and, for the classifier, the domain logits (B, num_domains) of one pass.</summary>
    public (Tensor Adv, Tensor? Cls) Judge(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        var logits = main.call(x);
        logits = logits.view(logits.size(0), -1);   // (B, num_domains) or (B, 1 + num_domains)
        if (!classifier)
            return (DomainHeads.Select(logits, y).MoveToOuterDisposeScope(), null);
        return (logits[.., 0].MoveToOuterDisposeScope(), logits[.., 1..].MoveToOuterDisposeScope());
    }
}
