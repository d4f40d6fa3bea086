using SkiaSharp;

namespace StarGanLab.Data;

/// <summary>
/// The official transform split in two: <see cref="Draw"/> consumes randomness only, <see cref="Apply"/> only pixels.
/// The split is what makes prefetching deterministic: a batch's parameters are drawn from its own RNG in a fixed order,
/// and any thread may then render them.
/// </summary>
public static class Augmentation
{
    const int CropAttempts = 10;   // torchvision RandomResizedCrop.get_params

    /// <summary>Draws crop-or-not, the crop box and the flip, in that order.</summary>
    public static AugmentParams Draw(int width, int height, AugmentOptions o, ref DataRng rng)
    {
        var whole = new CropBox(0, 0, height, width);
        CropBox crop = o.CropProb > 0 && rng.NextDouble() < o.CropProb ? RandomResizedCropBox(width, height, o, ref rng) : whole;
        bool flip = o.FlipProb > 0 && rng.NextDouble() < o.FlipProb;
        return new AugmentParams(crop, flip);
    }

    /// <summary>
    /// torchvision's RandomResizedCrop.get_params: up to ten tries of (area fraction, log-uniform aspect ratio), then a
    /// centre crop clamped to the ratio range. Rounding is banker's, as Python's round.
    /// </summary>
    public static CropBox RandomResizedCropBox(int width, int height, AugmentOptions o, ref DataRng rng)
    {
        double area = (double)width * height;
        double logLo = Math.Log(o.MinRatio), logHi = Math.Log(o.MaxRatio);
        for (int attempt = 0; attempt < CropAttempts; attempt++)
        {
            double targetArea = area * rng.Uniform(o.MinScale, o.MaxScale);
            double aspect = Math.Exp(rng.Uniform(logLo, logHi));
            int w = (int)Math.Round(Math.Sqrt(targetArea * aspect), MidpointRounding.ToEven);
            int h = (int)Math.Round(Math.Sqrt(targetArea / aspect), MidpointRounding.ToEven);
            if (0 < w && w <= width && 0 < h && h <= height)
            {
                int top = rng.NextInt(height - h + 1);
                int left = rng.NextInt(width - w + 1);
                return new CropBox(top, left, h, w);
            }
        }
        double inRatio = (double)width / height;
        (int cw, int ch) = inRatio < o.MinRatio ? (width, (int)Math.Round(width / o.MinRatio, MidpointRounding.ToEven))
            : inRatio > o.MaxRatio ? ((int)Math.Round(height * o.MaxRatio, MidpointRounding.ToEven), height)
            : (width, height);
        return new CropBox((height - ch) / 2, (width - cw) / 2, ch, cw);
    }

    /// <summary>Crop, resize to <paramref name="imgSize"/>, flip, normalise: CHW in [-1, 1] written into <paramref name="chw"/>.</summary>
    public static void Apply(SKBitmap source, AugmentParams p, int imgSize, Span<float> chw) => Apply(source, p, imgSize, chw, source.Info.Size);

    /// <summary>As <see cref="Apply(SKBitmap, AugmentParams, int, Span{float})"/>, for parameters drawn on an image of
    /// <paramref name="drawnOn"/> pixels of which <paramref name="source"/> is a resized copy (the resized cache): the crop is
    /// scaled to the copy, so it covers the same part of the picture.</summary>
    public static void Apply(SKBitmap source, AugmentParams p, int imgSize, Span<float> chw, SKSizeI drawnOn)
    {
        using SKBitmap resized = Render(source, p, imgSize, drawnOn);
        BitmapPixels.ToChw(resized, chw);
    }

    public static float[] Apply(SKBitmap source, AugmentParams p, int imgSize)
    {
        var chw = new float[3 * imgSize * imgSize];
        Apply(source, p, imgSize, chw, source.Info.Size);
        return chw;
    }

    /// <summary>Validation transform: the whole image resized and normalised.</summary>
    public static float[] ResizeNormalize(SKBitmap source, int imgSize) =>
        Apply(source, new AugmentParams(new CropBox(0, 0, source.Height, source.Width), false), imgSize);

    /// <summary>The whole image resized to <paramref name="imgSize"/> square by the loader's own resampling: what the validation
    /// transform normalises, and what the resized cache stores, so a cached image loads to the same pixels. Caller disposes.</summary>
    public static SKBitmap Resize(SKBitmap source, int imgSize) =>
        Render(source, new AugmentParams(new CropBox(0, 0, source.Height, source.Width), false), imgSize, source.Info.Size);

    /// <summary>
    /// One draw call does crop, resize and flip. Bilinear with mipmaps so large downscales (512 to 64) average like
    /// PIL's antialiased resize instead of aliasing; identity when nothing changes, so exported PNGs load bit-exact.
    /// </summary>
    static SKBitmap Render(SKBitmap source, AugmentParams p, int imgSize, SKSizeI drawnOn)
    {
        var target = new SKBitmap(BitmapPixels.OpaqueRgba(imgSize, imgSize));
        CropBox c = p.Crop;
        bool identity = !p.Flip && c.Top == 0 && c.Left == 0 && c.Width == drawnOn.Width && c.Height == drawnOn.Height
            && source.Width == imgSize && source.Height == imgSize;
        if (identity && source.ColorType == SKColorType.Rgba8888)
        {
            source.GetPixelSpan().CopyTo(target.GetPixelSpan());
            return target;
        }
        using var canvas = new SKCanvas(target);
        using SKImage image = SKImage.FromBitmap(source);
        if (p.Flip)
        {
            canvas.Translate(imgSize, 0);
            canvas.Scale(-1, 1);
        }
        float sx = (float)source.Width / drawnOn.Width, sy = (float)source.Height / drawnOn.Height;
        var src = SKRect.Create(c.Left * sx, c.Top * sy, c.Width * sx, c.Height * sy);
        var dst = SKRect.Create(0, 0, imgSize, imgSize);
        using var paint = new SKPaint { BlendMode = SKBlendMode.Src };
        canvas.DrawImage(image, src, dst, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear), paint);
        return target;
    }
}
