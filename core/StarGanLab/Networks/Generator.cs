using StarGanLab.Config;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Networks;

/// <summary>G(x, s): encoder of ResBlks, decoder of AdainResBlks that inject the style code s
/// (paper section 3 and appendix, Table 6). With masks, high-pass filtered encoder features at 32/64/128
/// are added after the decoder block of the same size. With <c>concatDomains</c> &gt; 0 (injection concat, StarGAN v1's
/// depth-wise concatenation) the code s is the one-hot target domain, replicated over the image and concatenated to
/// the input, and the decoder blocks carry no modulation (styleDim 0).</summary>
public sealed class Generator : nn.Module<Tensor, Tensor, Tensor>
{
    static readonly long[] SkipSizes = [32, 64, 128];

    readonly Conv from_rgb;
    readonly ModuleList<ResBlk> encode;
    readonly ModuleList<AdainResBlk> decode;
    readonly Sequential to_rgb;
    readonly nn.Module<Tensor, Tensor> hpf;
    readonly bool hasHighPass;
    readonly int concatDomains;

    public Generator(int imgSize = 256, int styleDim = 64, int maxConvDim = 512, double wHpf = 1, int widthConst = 16384,
                     int concatDomains = 0)
        : base(nameof(Generator))
    {
        if (concatDomains > 0 && styleDim != 0)
            throw new ArgumentException("a generator with a concatenated domain label has no AdaIN code (styleDim must be 0)", nameof(styleDim));
        long dimIn = widthConst / imgSize;
        this.concatDomains = concatDomains;
        from_rgb = new Conv(3 + concatDomains, dimIn, 3, 1, 1);
        to_rgb = nn.Sequential(
            nn.InstanceNorm2d(dimIn, affine: true),
            nn.LeakyReLU(0.2),
            new Conv(dimIn, 3, 1, 1, 0));

        var enc = new List<ResBlk>();
        var dec = new List<AdainResBlk>();
        int repeat = (int)Math.Log2(imgSize) - 4 + (wHpf > 0 ? 1 : 0);
        long dimOut = dimIn;
        for (int i = 0; i < repeat; i++)
        {
            dimOut = Math.Min(dimIn * 2, maxConvDim);
            enc.Add(new ResBlk(dimIn, dimOut, normalize: true, downsample: true));
            dec.Insert(0, new AdainResBlk(dimOut, dimIn, styleDim, wHpf, upsample: true));   // stack-like
            dimIn = dimOut;
        }
        for (int i = 0; i < 2; i++)   // bottleneck
        {
            enc.Add(new ResBlk(dimOut, dimOut, normalize: true));
            dec.Insert(0, new AdainResBlk(dimOut, dimOut, styleDim, wHpf));
        }
        encode = nn.ModuleList(enc.ToArray());
        decode = nn.ModuleList(dec.ToArray());
        hasHighPass = wHpf > 0;
        hpf = hasHighPass ? new HighPass(wHpf) : nn.Identity();
        RegisterComponents();
    }

    public static Generator Create(ModelConfig m) => m.Injection == InjectionMode.Concat
        ? new(m.ImgSize, 0, m.MaxConvDim, m.WHpf, m.WidthConst, concatDomains: m.NumDomains)
        : new(m.ImgSize, m.CodeDim(), m.MaxConvDim, m.WHpf, m.WidthConst);

    /// <summary>Whether <see cref="Encode"/> applies: with injection concat the encoder reads the domain label.</summary>
    public bool HasStyleFreeEncoder => concatDomains == 0;

    public override Tensor forward(Tensor x, Tensor s) => forward(x, s, null);

    public Tensor forward(Tensor x, Tensor s, FaceMasks? masks)
    {
        using var scope = NewDisposeScope();
        CheckMasks(masks);
        if (concatDomains > 0)   // (B, D) -> (B, D, H, W), then depth-wise onto the image
            x = cat([x, s.view(s.size(0), s.size(1), 1, 1).expand(-1, -1, x.size(2), x.size(3))], 1);
        return Decode(EncodeInput(x, masks != null), s, masks).MoveToOuterDisposeScope();
    }

    /// <summary>G(x, s) for another code s of the same images x: decodes <paramref name="content"/>, x's encoding by
    /// these weights, encoding x into it on the first call (with injection concat, a full pass every time).</summary>
    public Tensor forward(Tensor x, Tensor s, FaceMasks? masks, ref GeneratorContent? content)
    {
        if (!HasStyleFreeEncoder) return forward(x, s, masks);
        content ??= Encode(x, masks);
        return Decode(content, s, masks);
    }

    /// <summary>The encoder half of G(x, s), for <see cref="Decode"/> with any number of style codes.
    /// Pass the masks the decoder will get: they decide whether the high-pass skip features are kept.</summary>
    public GeneratorContent Encode(Tensor x, FaceMasks? masks = null)
    {
        if (!HasStyleFreeEncoder)
            throw new InvalidOperationException("with injection concat the encoder reads the domain label: call forward(x, s)");
        CheckMasks(masks);
        return EncodeInput(x, masks != null);
    }

    /// <summary>The decoder half: G(x, s) = Decode(Encode(x, masks), s, masks).</summary>
    public Tensor Decode(GeneratorContent content, Tensor s, FaceMasks? masks = null)
    {
        using var scope = NewDisposeScope();
        CheckMasks(masks);
        var x = content.Features;
        foreach (var block in decode)
        {
            x = block.call(x, s);
            long size = x.size(2);
            if (masks != null && SkipSizes.Contains(size))
            {
                if (!content.Skips.TryGetValue(size, out var skip))
                    throw new ArgumentException($"the content was encoded without masks, so it has no {size} px skip features for the high-pass path");
                var mask = F.interpolate(masks.ForSize(size), size: [size, size], mode: InterpolationMode.Bilinear, align_corners: false);
                x = x + hpf.call(mask * skip);
            }
        }
        return to_rgb.call(x).MoveToOuterDisposeScope();
    }

    GeneratorContent EncodeInput(Tensor x, bool keepSkips)
    {
        using var scope = NewDisposeScope();
        x = from_rgb.call(x);
        var skips = new Dictionary<long, Tensor>();
        foreach (var block in encode)
        {
            if (keepSkips && SkipSizes.Contains(x.size(2))) skips[x.size(2)] = x.MoveToOuterDisposeScope();
            x = block.call(x);
        }
        return new GeneratorContent(x.MoveToOuterDisposeScope(), skips);
    }

    void CheckMasks(FaceMasks? masks)
    {
        if (masks != null && !hasHighPass)
            throw new InvalidOperationException("masks were given to a generator built with w_hpf = 0 (it has no high-pass path)");
    }
}
