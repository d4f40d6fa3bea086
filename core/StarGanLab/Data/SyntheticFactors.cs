namespace StarGanLab.Data;

/// <summary>
/// The known generative factors of one synthetic image. Content (shared by all domains, a translation should keep it):
/// <see cref="X"/>, <see cref="Y"/> (head centre as a fraction of the image side), <see cref="Scale"/>, <see cref="Tilt"/>
/// (degrees, clockwise). Style (varies within a domain, a reference should transfer it): <see cref="Fill"/> (fur RGB in
/// [0,1]), <see cref="Background"/> (RGB in [0,1]), <see cref="Texture"/> (0 plain, 1 stripes, 2 spots) with its
/// <see cref="TexturePhase"/> in [0,1) and <see cref="TextureDensity"/> in [0,1] (0 sparse, 1 dense).
/// The domain itself (the head's shape) is not a factor here: it is the label.
/// </summary>
public sealed record SyntheticFactors(
    float X, float Y, float Scale, float Tilt,
    float[] Fill, float[] Background, int Texture, float TexturePhase, float TextureDensity)
{
    public const int TextureKinds = 3;

    /// <summary>Same style, content taken from <paramref name="content"/>: the ground truth of a reference-guided translation.</summary>
    public SyntheticFactors WithContentOf(SyntheticFactors content) =>
        this with { X = content.X, Y = content.Y, Scale = content.Scale, Tilt = content.Tilt };
}
