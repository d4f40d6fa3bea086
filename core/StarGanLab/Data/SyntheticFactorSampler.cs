namespace StarGanLab.Data;

/// <summary>
/// Draws <see cref="SyntheticFactors"/>. Ranges keep the head (ears and horns included) mostly inside the frame and
/// the fur readable against the background; the draw order is part of the data set's definition, so changing it
/// changes every image.
/// </summary>
internal static class SyntheticFactorSampler
{
    public const float MinCentre = 0.42f, MaxCentre = 0.58f;
    public const float MinScale = 0.85f, MaxScale = 1.15f;
    public const float MaxTilt = 25f;
    public const float YLift = 0.04f;                                    // ears and horns rise above the centre

    public static SyntheticFactors Draw(ref DataRng rng)
    {
        float x = (float)rng.Uniform(MinCentre, MaxCentre);
        float y = (float)rng.Uniform(MinCentre, MaxCentre) + YLift;
        float scale = (float)rng.Uniform(MinScale, MaxScale);
        float tilt = (float)rng.Uniform(-MaxTilt, MaxTilt);

        double furHue = rng.NextDouble();
        float[] fill = Hsv(furHue, rng.Uniform(0.3, 0.85), rng.Uniform(0.6, 0.95));
        // Background hue at least a quarter turn away and brightness on the other side of the fur's: the
        // silhouette must stay visible at 32 px whatever the colours.
        double bgHue = (furHue + rng.Uniform(0.25, 0.75)) % 1.0;
        bool darkBackground = rng.NextDouble() < 0.5;
        float[] background = Hsv(bgHue, rng.Uniform(0.15, 0.6), darkBackground ? rng.Uniform(0.12, 0.35) : rng.Uniform(0.85, 1.0));

        int texture = rng.NextInt(SyntheticFactors.TextureKinds);
        float phase = (float)rng.NextDouble();
        float density = (float)rng.NextDouble();
        return new SyntheticFactors(x, y, scale, tilt, fill, background, texture, phase, density);
    }

    static float[] Hsv(double h, double s, double v)
    {
        double h6 = h * 6, f = h6 - Math.Floor(h6);
        double p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
        (double r, double g, double b) = ((int)Math.Floor(h6) % 6) switch
        {
            0 => (v, t, p), 1 => (q, v, p), 2 => (p, v, t),
            3 => (p, q, v), 4 => (t, p, v), _ => (v, p, q),
        };
        return [(float)r, (float)g, (float)b];
    }
}
