namespace StarGanLab.Data;

/// <summary>
/// The ranges the content factors of <see cref="SyntheticFactors"/> are drawn from (uniformly, independently), so a
/// measurement can be put on a common scale: <see cref="Normalize"/> maps each range onto [0, 1].
/// </summary>
public static class SyntheticFactorRanges
{
    public static (float Lo, float Hi) X => (SyntheticFactorSampler.MinCentre, SyntheticFactorSampler.MaxCentre);
    public static (float Lo, float Hi) Y => (SyntheticFactorSampler.MinCentre + SyntheticFactorSampler.YLift, SyntheticFactorSampler.MaxCentre + SyntheticFactorSampler.YLift);
    public static (float Lo, float Hi) Scale => (SyntheticFactorSampler.MinScale, SyntheticFactorSampler.MaxScale);
    public static (float Lo, float Hi) Tilt => (-SyntheticFactorSampler.MaxTilt, SyntheticFactorSampler.MaxTilt);

    /// <summary>Names of the content factors, in the order of <see cref="NormalizedContent"/>.</summary>
    public static IReadOnlyList<string> ContentNames { get; } = ["x", "y", "scale", "tilt"];

    /// <summary>x, y, scale, tilt of <paramref name="f"/>, each mapped from its range onto [0, 1].</summary>
    public static float[] NormalizedContent(SyntheticFactors f) =>
        [Normalize(f.X, X), Normalize(f.Y, Y), Normalize(f.Scale, Scale), Normalize(f.Tilt, Tilt)];

    public static float Normalize(float v, (float Lo, float Hi) range) => (v - range.Lo) / (range.Hi - range.Lo);
}
