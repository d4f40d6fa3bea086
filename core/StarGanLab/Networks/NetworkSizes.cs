using StarGanLab.Config;

namespace StarGanLab.Networks;

/// <summary>What the networks of a model config hold, worked out from the config alone, without building them (a
/// typo such as model.style_dim=2e9 must be refused before anything is allocated). Mirrors the constructors of
/// <see cref="Generator"/>, <see cref="MappingNetwork"/>, <see cref="StyleEncoder"/> and <see cref="Discriminator"/>;
/// a test holds every count against the built networks for each variant.</summary>
public static class NetworkSizes
{
    /// <summary>Parameters of each network the config builds (0 for one it does not build).</summary>
    public sealed record Parameters(long Generator, long MappingNetwork, long StyleEncoder, long Discriminator)
    {
        public long All => Generator + MappingNetwork + StyleEncoder + Discriminator;
        /// <summary>The networks that have EMA copies (all but D).</summary>
        public long WithEma => Generator + MappingNetwork + StyleEncoder;
    }

    /// <summary>Parameters of the FAN (fixed architecture: 98 landmarks, 4 hourglass levels), loaded when model.w_hpf &gt; 0.</summary>
    public const long FanParameters = 6_333_603;

    public static Parameters Of(ModelConfig m) => new(
        GeneratorParameters(m),
        m.HasMappingNetwork() ? Linear(m.LatentDim, m.MappingHidden) + 3 * Linear(m.MappingHidden, m.MappingHidden)
                                + m.NumDomains * (3 * Linear(m.MappingHidden, m.MappingHidden) + Linear(m.MappingHidden, m.StyleDim)) : 0,
        m.HasStyleEncoder() ? Trunk(m, out long eOut) + (m.StyleSource == StyleCode.Latent ? Linear(eOut, m.LatentDim) : m.NumDomains * Linear(eOut, m.StyleDim)) : 0,
        Trunk(m, out long dOut) + Conv(dOut, m.Discriminator == DiscriminatorHead.Classifier ? 1 + m.NumDomains : m.NumDomains, 1));

    /// <summary>Feature-map elements per image at the blocks' inputs and outputs: the generator's encoder and decoder,
    /// and the downsampling trunk that D and E share. The activations a step keeps for backward are proportional.</summary>
    public static (long Generator, long Trunk) FeatureElements(ModelConfig m)
    {
        long size = m.ImgSize, dimIn = m.WidthConst / m.ImgSize;
        long g = 2 * dimIn * size * size;   // from_rgb out, to_rgb in
        foreach (var (cin, cout, r) in GeneratorBlocks(m))
            g += 2 * (cin * r * r + cout * (r / 2) * (r / 2));   // encoder block and its mirror in the decoder
        long t = dimIn * size * size;
        foreach (var (cin, cout, r) in TrunkBlocks(m))
            t += cin * r * r + cout * (r / 2) * (r / 2);
        return (g, t);
    }

    static long GeneratorParameters(ModelConfig m)
    {
        bool concat = m.Injection == InjectionMode.Concat;
        long style = concat ? 0 : m.CodeDim(), dimIn = m.WidthConst / m.ImgSize;
        long p = Conv(3 + (concat ? m.NumDomains : 0), dimIn, 3) + 2 * dimIn + Conv(dimIn, 3, 1, bias: true);
        foreach (var (cin, cout, _) in GeneratorBlocks(m))
            p += ResBlk(cin, cout, normalize: true) + AdainResBlk(cout, cin, style);
        var last = GeneratorBlocks(m).Select(b => b.Out).DefaultIfEmpty(dimIn).Last();
        return p + 2 * (ResBlk(last, last, normalize: true) + AdainResBlk(last, last, style));
    }

    /// <summary>(in, out, input resolution) of the generator's downsampling blocks (the two bottleneck blocks follow).</summary>
    static IEnumerable<(long In, long Out, long Resolution)> GeneratorBlocks(ModelConfig m)
    {
        int repeat = (int)Math.Log2(m.ImgSize) - 4 + (m.WHpf > 0 ? 1 : 0);
        long dimIn = m.WidthConst / m.ImgSize, r = m.ImgSize;
        for (int i = 0; i < repeat; i++, r /= 2)
        {
            long dimOut = Math.Min(dimIn * 2, m.MaxConvDim);
            yield return (dimIn, dimOut, r);
            dimIn = dimOut;
        }
    }

    static IEnumerable<(long In, long Out, long Resolution)> TrunkBlocks(ModelConfig m)
    {
        int repeat = (int)Math.Log2(m.ImgSize) - 2;
        long dimIn = m.WidthConst / m.ImgSize, r = m.ImgSize;
        for (int i = 0; i < repeat; i++, r /= 2)
        {
            long dimOut = Math.Min(dimIn * 2, m.MaxConvDim);
            yield return (dimIn, dimOut, r);
            dimIn = dimOut;
        }
    }

    static long Trunk(ModelConfig m, out long dimOut)
    {
        dimOut = m.WidthConst / m.ImgSize;
        long p = Conv(3, dimOut, 3);
        foreach (var (cin, cout, _) in TrunkBlocks(m))
        {
            p += ResBlk(cin, cout, normalize: false);
            dimOut = cout;
        }
        return p + Conv(dimOut, dimOut, 4);
    }

    static long Conv(long cin, long cout, long k, bool bias = true) => cin * cout * k * k + (bias ? cout : 0);
    static long Linear(long cin, long cout) => cin * cout + cout;

    static long ResBlk(long cin, long cout, bool normalize) =>
        Conv(cin, cin, 3) + Conv(cin, cout, 3) + (normalize ? 4 * cin : 0) + (cin != cout ? cin * cout : 0);

    static long AdainResBlk(long cin, long cout, long style) =>
        Conv(cin, cout, 3) + Conv(cout, cout, 3) + Norm(cin, style) + Norm(cout, style) + (cin != cout ? cin * cout : 0);

    /// <summary>AdaIN's fc (style -> 2C), or the affine instance norm that replaces it without a style code.</summary>
    static long Norm(long channels, long style) => style > 0 ? Linear(style, 2 * channels) : 2 * channels;
}
