using StarGanLab.Config;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Networks;

/// <summary>G(x, s): encoder of ResBlks, decoder of AdainResBlks that inject the style code s
/// (paper section 3 and appendix, Table 6). With masks, high-pass filtered encoder features at 32/64/128
/// are added after the decoder block of the same size.</summary>
public sealed class Generator : nn.Module<Tensor, Tensor, Tensor>
{
    static readonly long[] SkipSizes = [32, 64, 128];

    readonly Conv2d from_rgb;
    readonly ModuleList<ResBlk> encode;
    readonly ModuleList<AdainResBlk> decode;
    readonly Sequential to_rgb;
    readonly nn.Module<Tensor, Tensor> hpf;
    readonly bool hasHighPass;

    public Generator(int imgSize = 256, int styleDim = 64, int maxConvDim = 512, double wHpf = 1, int widthConst = 16384)
        : base(nameof(Generator))
    {
        long dimIn = widthConst / imgSize;
        from_rgb = nn.Conv2d(3, dimIn, 3, 1, 1);
        to_rgb = nn.Sequential(
            nn.InstanceNorm2d(dimIn, affine: true),
            nn.LeakyReLU(0.2),
            nn.Conv2d(dimIn, 3, 1, 1, 0));

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

    public static Generator Create(ModelConfig m) =>
        new(m.ImgSize, m.StyleDim, m.MaxConvDim, m.WHpf, m.WidthConst);

    public override Tensor forward(Tensor x, Tensor s) => forward(x, s, null);

    public Tensor forward(Tensor x, Tensor s, FaceMasks? masks)
    {
        using var scope = NewDisposeScope();
        if (masks != null && !hasHighPass)
            throw new InvalidOperationException("masks were given to a generator built with w_hpf = 0 (it has no high-pass path)");
        x = from_rgb.call(x);
        var cache = new Dictionary<long, Tensor>();
        foreach (var block in encode)
        {
            if (masks != null && SkipSizes.Contains(x.size(2))) cache[x.size(2)] = x;
            x = block.call(x);
        }
        foreach (var block in decode)
        {
            x = block.call(x, s);
            long size = x.size(2);
            if (masks != null && SkipSizes.Contains(size))
            {
                var mask = F.interpolate(masks.ForSize(size), size: [size, size], mode: InterpolationMode.Bilinear, align_corners: false);
                x = x + hpf.call(mask * cache[size]);
            }
        }
        return to_rgb.call(x).MoveToOuterDisposeScope();
    }
}
