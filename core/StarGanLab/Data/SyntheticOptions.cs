namespace StarGanLab.Data;

/// <summary>
/// The embedded synthetic set (DESIGN.md section 5). Images are rendered on demand, so sizes only bound the indices.
/// </summary>
/// <param name="Domains">How many domains, 1 to <see cref="SyntheticDomains.MaxDomains"/>, taken in the order of <see cref="SyntheticDomains.AllDomainNames"/>.</param>
/// <param name="PerDomain">Training images per domain.</param>
/// <param name="ImgSize">Side of the rendered square image in pixels (16-256).</param>
/// <param name="Seed">Everything about an image is a function of (Seed, split, domain, index).</param>
/// <param name="ValPerDomain">Held-out images per domain, drawn from a stream disjoint from the training one.</param>
/// <param name="TextureScale">Multiplies the period of stripes and spots (1: 9-15 canvas units, 3-5 px at 32 px). Coarser
/// textures stay drawable by small generators at small image sizes; the factors and every other pixel are unchanged.</param>
/// <param name="TexturePhaseJitter">How much of a period the pattern's drawn phase may shift it (1: anywhere, the
/// default; 0: a stripe or spot row always starts at the head's centre). At 0 where the stripes lie follows from the
/// head's pose and the texture's density, so only kind and density are left for a style code to carry.</param>
/// <param name="TextureDensityJitter">How far the pattern's period may stray from the middle one (1: over the whole
/// 9-15 canvas units, the default; 0: always 12). With both jitters at 0 the texture kind alone decides the pattern.</param>
public sealed record SyntheticOptions(int Domains = 3, int PerDomain = 1000, int ImgSize = 64, int Seed = 777, int ValPerDomain = 200,
                                      double TextureScale = 1, double TexturePhaseJitter = 1,
                                      double TextureDensityJitter = 1)
{
    public const int MinImgSize = 16;
    public const int MaxImgSize = 256;
    public const double MinTextureScale = 0.5, MaxTextureScale = 3;

    /// <summary>Throws <see cref="ArgumentException"/> listing every bad value.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (Domains < 1 || Domains > SyntheticDomains.MaxDomains) errors.Add($"Domains={Domains} must be in 1..{SyntheticDomains.MaxDomains}");
        if (PerDomain < 2) errors.Add($"PerDomain={PerDomain} must be at least 2 (reference pairs need two images of a domain)");
        if (ValPerDomain < 0) errors.Add($"ValPerDomain={ValPerDomain} must not be negative");
        if (ImgSize < MinImgSize || ImgSize > MaxImgSize) errors.Add($"ImgSize={ImgSize} must be in {MinImgSize}..{MaxImgSize}");
        if (!(TextureScale >= MinTextureScale && TextureScale <= MaxTextureScale)) errors.Add($"TextureScale={TextureScale} must be in {MinTextureScale}..{MaxTextureScale}");
        if (!(TexturePhaseJitter >= 0 && TexturePhaseJitter <= 1)) errors.Add($"TexturePhaseJitter={TexturePhaseJitter} must be in 0..1");
        if (!(TextureDensityJitter >= 0 && TextureDensityJitter <= 1)) errors.Add($"TextureDensityJitter={TextureDensityJitter} must be in 0..1");
        if (errors.Count > 0) throw new ArgumentException("invalid SyntheticOptions: " + string.Join("; ", errors));
    }
}
