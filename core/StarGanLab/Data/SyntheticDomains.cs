using SkiaSharp;

namespace StarGanLab.Data;

/// <summary>
/// The embedded procedural data set (DESIGN.md section 5): stylised animal heads whose domains differ in structure
/// (cat: pointed ears; dog: floppy ears and a long muzzle; wild: horns, side ears, a narrow face; bear: round ears),
/// with content factors shared by all domains and style factors varying inside each. Nothing touches the disk:
/// every image is rendered from (seed, split, domain, index) on request, and is safe to request from any thread.
/// </summary>
public sealed class SyntheticDomains
{
    public static readonly IReadOnlyList<string> AllDomainNames = ["cat", "dog", "wild", "bear"];
    public static int MaxDomains => AllDomainNames.Count;

    public SyntheticOptions Options { get; }
    public IReadOnlyList<string> DomainNames { get; }

    public SyntheticDomains(SyntheticOptions opts)
    {
        opts.Validate();
        Options = opts;
        DomainNames = AllDomainNames.Take(opts.Domains).ToArray();
        texture = new TextureStyle((float)opts.TextureScale, (float)opts.TexturePhaseJitter, (float)opts.TextureDensityJitter);
    }

    readonly TextureStyle texture;

    public int Count(Split split) => split == Split.Train ? Options.PerDomain : Options.ValPerDomain;

    /// <summary>The factors of image <paramref name="index"/> of a domain. Train and val use disjoint random streams.</summary>
    public SyntheticFactors Factors(int domain, int index, Split split = Split.Train)
    {
        CheckAddress(domain, index, split);
        return FactorsAt(domain, index, split);
    }

    /// <summary>The stream behind <see cref="Factors"/> without the split-size bound: export may go past it.</summary>
    internal SyntheticFactors FactorsAt(int domain, int index, Split split)
    {
        var rng = DataRng.For(Options.Seed, (long)split, domain, index);
        return SyntheticFactorSampler.Draw(ref rng);
    }

    public Sample Get(int domain, int index, Split split = Split.Train)
    {
        SyntheticFactors f = Factors(domain, index, split);
        using SKBitmap bitmap = Render(domain, f);
        return new Sample(domain, index, split, f, BitmapPixels.ToChw(bitmap));
    }

    /// <summary>
    /// Renders any factors in any domain at <see cref="SyntheticOptions.ImgSize"/>: with the factors of a source image and
    /// another domain this is the ground truth a translation should approach. Caller disposes.
    /// </summary>
    public SKBitmap Render(int domain, SyntheticFactors factors, int? imgSize = null)
    {
        if ((uint)domain >= (uint)DomainNames.Count) throw new ArgumentOutOfRangeException(nameof(domain), domain, $"domains are 0..{DomainNames.Count - 1}");
        int size = imgSize ?? Options.ImgSize;
        var bitmap = new SKBitmap(BitmapPixels.OpaqueRgba(size, size));
        using var canvas = new SKCanvas(bitmap);
        AnimalHeadPainter.Paint(canvas, size, (AnimalShape)domain, factors, texture);
        return bitmap;
    }

    /// <summary>This set as an <see cref="IImageSource"/> over one split, for the batch sources.</summary>
    public IImageSource AsSource(Split split) => new SyntheticImageSource(this, split);

    /// <summary>
    /// Writes the ImageFolder layout <c>dir/&lt;domain&gt;/&lt;index:D5&gt;.png</c> plus <c>dir/&lt;domain&gt;/factors.jsonl</c>
    /// (one JSON object per image, in index order), so the set can be trained on like any real data set.
    /// <paramref name="perDomain"/> may exceed the split's size: images 0..perDomain-1 of the split's stream are written,
    /// the first ones identical to <see cref="Get"/>.
    /// </summary>
    public void Export(string dir, int perDomain, Split split = Split.Train) => SyntheticExporter.Export(this, dir, perDomain, split);

    void CheckAddress(int domain, int index, Split split)
    {
        if ((uint)domain >= (uint)DomainNames.Count) throw new ArgumentOutOfRangeException(nameof(domain), domain, $"domains are 0..{DomainNames.Count - 1}");
        if ((uint)index >= (uint)Count(split)) throw new ArgumentOutOfRangeException(nameof(index), index, $"the {split} split has {Count(split)} images per domain");
    }

    sealed class SyntheticImageSource(SyntheticDomains set, Split split) : IImageSource
    {
        public IReadOnlyList<string> DomainNames => set.DomainNames;
        public int Count(int domain) => set.Count(split);
        public SKBitmap Load(int domain, int index) => set.Render(domain, set.Factors(domain, index, split));
    }
}
