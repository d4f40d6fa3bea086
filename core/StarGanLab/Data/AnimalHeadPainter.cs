using SkiaSharp;

namespace StarGanLab.Data;

/// <summary>
/// Draws one stylised animal head. Domains differ only in structure (ears, horns, muzzle, outline); everything that
/// colours the picture comes from the factors, so colour never gives the domain away.
/// Geometry is in a 100x100 canvas with the head centre at the origin, head radius about 22 units: large and bold,
/// because at 32 px one unit is a third of a pixel and anything thinner than ~6 units disappears.
/// </summary>
internal static class AnimalHeadPainter
{
    const float Canvas = 100f;

    public static void Paint(SKCanvas canvas, int imgSize, AnimalShape shape, SyntheticFactors f, TextureStyle? texture = null)
    {
        canvas.Save();
        canvas.Scale(imgSize / Canvas);
        canvas.Clear(ToColor(f.Background));
        canvas.Translate(f.X * Canvas, f.Y * Canvas);
        canvas.RotateDegrees(f.Tilt);
        canvas.Scale(f.Scale);

        using var fur = Fill(ToColor(f.Fill));
        using var accent = Fill(ToColor(Shade(f.Fill, 0.55f)));
        using var light = Fill(ToColor(Tint(f.Fill, 0.55f)));
        using var dark = Fill(new SKColor(25, 20, 20));
        using var white = Fill(new SKColor(245, 245, 240));

        using SKPath head = HeadOutline(shape);
        DrawBehindHead(canvas, shape, accent);
        canvas.DrawPath(head, fur);
        DrawTexture(canvas, head, f, accent, texture ?? TextureStyle.Default);
        DrawFace(canvas, shape, light, dark, white);
        canvas.Restore();
    }

    /// <summary>Head plus the parts that share the fur colour; textures are clipped to it.</summary>
    static SKPath HeadOutline(AnimalShape shape)
    {
        using var p = new SKPathBuilder();
        switch (shape)
        {
            case AnimalShape.Cat:
                p.AddOval(new SKRect(-25, -21, 25, 22));
                AddTriangle(p, new(-24, -6), new(-4, -19), new(-21, -46));   // tall pointed ears
                AddTriangle(p, new(24, -6), new(4, -19), new(21, -46));
                break;
            case AnimalShape.Dog:
                p.AddOval(new SKRect(-20, -24, 20, 22));
                p.AddOval(new SKRect(-14, 2, 14, 30));                         // long muzzle below the head
                break;
            case AnimalShape.Wild:
                p.AddOval(new SKRect(-17, -22, 17, 28));                       // narrow, long face
                p.AddOval(new SKRect(-34, -16, -13, -5));                      // ears straight out sideways
                p.AddOval(new SKRect(13, -16, 34, -5));
                break;
            case AnimalShape.Bear:
                p.AddCircle(0, 0, 25);
                p.AddCircle(-19, -21, 10);                                     // round ears on top
                p.AddCircle(19, -21, 10);
                break;
        }
        // Winding fill so overlapping sub-paths union instead of cancelling.
        p.FillType = SKPathFillType.Winding;
        return p.Detach();
    }

    /// <summary>Parts drawn before the head so it overlaps them: floppy ears, horns.</summary>
    static void DrawBehindHead(SKCanvas canvas, AnimalShape shape, SKPaint accent)
    {
        if (shape == AnimalShape.Dog)
        {
            DrawRotatedOval(canvas, -21, 6, 9, 21, 18, accent);               // ears hanging down the sides
            DrawRotatedOval(canvas, 21, 6, 9, 21, -18, accent);
        }
        else if (shape == AnimalShape.Wild)
        {
            using var horn = new SKPaint { IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 8, StrokeCap = SKStrokeCap.Round, Color = accent.Color };
            using var b = new SKPathBuilder();
            b.MoveTo(-9, -18); b.CubicTo(-16, -32, -28, -35, -33, -44);     // horns sweeping up and out
            b.MoveTo(9, -18); b.CubicTo(16, -32, 28, -35, 33, -44);
            using SKPath path = b.Detach();
            canvas.DrawPath(path, horn);
        }
    }

    static void DrawFace(SKCanvas canvas, AnimalShape shape, SKPaint light, SKPaint dark, SKPaint white)
    {
        switch (shape)
        {
            case AnimalShape.Cat:
                AddFilledTriangle(canvas, new(-5, 5), new(5, 5), new(0, 11), dark);      // small triangular nose
                break;
            case AnimalShape.Dog:
                canvas.DrawOval(new SKRect(-11, 8, 11, 28), light);
                canvas.DrawOval(new SKRect(-7, 7, 7, 16), dark);                          // big nose
                break;
            case AnimalShape.Wild:
                canvas.DrawOval(new SKRect(-10, 10, 10, 27), light);
                canvas.DrawOval(new SKRect(-5, 19, 5, 25), dark);
                break;
            case AnimalShape.Bear:
                canvas.DrawCircle(0, 10, 11, light);
                canvas.DrawOval(new SKRect(-5, 4, 5, 10), dark);
                break;
        }
        // Eyes in the same place for every domain: content cues the translation should keep.
        foreach (float x in (ReadOnlySpan<float>)[-10f, 10f])
        {
            canvas.DrawCircle(x, -6, 5.5f, white);
            canvas.DrawCircle(x, -5.5f, 3.2f, dark);
        }
    }

    static void DrawTexture(SKCanvas canvas, SKPath clip, SyntheticFactors f, SKPaint accent, TextureStyle style)
    {
        if (f.Texture == 0) return;
        canvas.Save();
        canvas.ClipPath(clip, SKClipOperation.Intersect, antialias: true);
        // Each jitter blends the drawn factor with a fixed one; at 1 the drawn factor is used as is (the default
        // set's pixels, bit for bit).
        float density = style.DensityJitter == 1 ? f.TextureDensity : 0.5f + style.DensityJitter * (f.TextureDensity - 0.5f);
        float period = (15f - 6f * density) * style.Scale;                    // 9..15 units at scale 1: 3-5 px at 32 px
        // Rows start at -60 + offset; the centred phase puts a row at the head's centre (y = 0).
        float centred = 60f / period - MathF.Floor(60f / period);
        float offset = style.PhaseJitter == 1 ? f.TexturePhase * period
                     : (style.PhaseJitter * f.TexturePhase + (1 - style.PhaseJitter) * centred) * period;
        if (f.Texture == 1)
        {
            for (float y = -60 + offset; y < 60; y += period)
                canvas.DrawRect(new SKRect(-60, y, 60, y + period * 0.42f), accent);
        }
        else
        {
            float r = period * 0.3f;
            int row = 0;
            for (float y = -60 + offset; y < 60; y += period, row++)
                for (float x = -60 + offset + (row % 2) * period * 0.5f; x < 60; x += period)
                    canvas.DrawCircle(x, y, r, accent);
        }
        canvas.Restore();
    }

    static void AddTriangle(SKPathBuilder p, SKPoint a, SKPoint b, SKPoint c)
    {
        p.MoveTo(a); p.LineTo(b); p.LineTo(c); p.Close();
    }

    static void AddFilledTriangle(SKCanvas canvas, SKPoint a, SKPoint b, SKPoint c, SKPaint paint)
    {
        using var p = new SKPathBuilder();
        AddTriangle(p, a, b, c);
        using SKPath path = p.Detach();
        canvas.DrawPath(path, paint);
    }

    static void DrawRotatedOval(SKCanvas canvas, float cx, float cy, float rx, float ry, float degrees, SKPaint paint)
    {
        canvas.Save();
        canvas.Translate(cx, cy);
        canvas.RotateDegrees(degrees);
        canvas.DrawOval(new SKRect(-rx, -ry, rx, ry), paint);
        canvas.Restore();
    }

    static SKPaint Fill(SKColor c) => new() { IsAntialias = true, Style = SKPaintStyle.Fill, Color = c };

    static SKColor ToColor(float[] rgb) =>
        new((byte)Math.Round(Math.Clamp(rgb[0], 0, 1) * 255), (byte)Math.Round(Math.Clamp(rgb[1], 0, 1) * 255), (byte)Math.Round(Math.Clamp(rgb[2], 0, 1) * 255));

    static float[] Shade(float[] rgb, float k) => [rgb[0] * k, rgb[1] * k, rgb[2] * k];

    static float[] Tint(float[] rgb, float k) => [rgb[0] + (1 - rgb[0]) * k, rgb[1] + (1 - rgb[1]) * k, rgb[2] + (1 - rgb[2]) * k];
}

/// <summary>Head structures; the synthetic domains are the first N of these.</summary>
internal enum AnimalShape { Cat, Dog, Wild, Bear }

/// <summary>How the set draws stripes and spots: period scale, and how much of the drawn phase and density is used
/// (<see cref="SyntheticOptions"/>).</summary>
internal sealed record TextureStyle(float Scale, float PhaseJitter, float DensityJitter)
{
    public static readonly TextureStyle Default = new(1, 1, 1);
}
