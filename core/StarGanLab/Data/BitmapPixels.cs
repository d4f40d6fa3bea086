using SkiaSharp;

namespace StarGanLab.Data;

/// <summary>Conversions between SkiaSharp bitmaps and the CHW float layout of the networks.</summary>
public static class BitmapPixels
{
    /// <summary>The info every image source hands out: RGBA8888, opaque (alpha was dropped, as PIL's convert('RGB') does).</summary>
    public static SKImageInfo OpaqueRgba(int width, int height) => new(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);

    /// <summary>RGB as CHW floats in [-1, 1]: ToTensor then Normalize(mean 0.5, std 0.5). Alpha is ignored.</summary>
    public static float[] ToChw(SKBitmap bitmap)
    {
        var chw = new float[3 * bitmap.Width * bitmap.Height];
        ToChw(bitmap, chw);
        return chw;
    }

    /// <summary>Writes into <paramref name="chw"/> (length 3*H*W), e.g. a slice of a batch buffer.</summary>
    public static void ToChw(SKBitmap bitmap, Span<float> chw)
    {
        if (bitmap.ColorType != SKColorType.Rgba8888 && bitmap.ColorType != SKColorType.Bgra8888)
            throw new ArgumentException($"expected an 8-bit RGBA/BGRA bitmap, got {bitmap.ColorType}", nameof(bitmap));
        int plane = bitmap.Width * bitmap.Height;
        if (chw.Length != 3 * plane) throw new ArgumentException($"buffer holds {chw.Length} floats, image needs {3 * plane}", nameof(chw));
        bool bgra = bitmap.ColorType == SKColorType.Bgra8888;
        ReadOnlySpan<byte> px = bitmap.GetPixelSpan();
        int rowBytes = bitmap.RowBytes;
        for (int y = 0; y < bitmap.Height; y++)
        {
            ReadOnlySpan<byte> row = px.Slice(y * rowBytes, bitmap.Width * 4);
            for (int x = 0; x < bitmap.Width; x++)
            {
                int i = y * bitmap.Width + x;
                byte r = row[4 * x], g = row[4 * x + 1], b = row[4 * x + 2];
                if (bgra) (r, b) = (b, r);
                chw[i] = r / 127.5f - 1f;
                chw[plane + i] = g / 127.5f - 1f;
                chw[2 * plane + i] = b / 127.5f - 1f;
            }
        }
    }

    /// <summary>CHW floats in [-1, 1] back to an opaque RGBA8888 bitmap (for sample grids and contact sheets). Caller disposes.</summary>
    public static SKBitmap FromChw(ReadOnlySpan<float> chw, int width, int height)
    {
        int plane = width * height;
        if (chw.Length != 3 * plane) throw new ArgumentException($"got {chw.Length} floats for a 3x{height}x{width} image");
        var bitmap = new SKBitmap(OpaqueRgba(width, height));
        Span<byte> px = bitmap.GetPixelSpan();
        for (int i = 0; i < plane; i++)
        {
            int row = i / width, col = i % width, o = row * bitmap.RowBytes + 4 * col;
            for (int c = 0; c < 3; c++)
                px[o + c] = (byte)Math.Clamp(MathF.Round((chw[c * plane + i] + 1f) * 127.5f), 0f, 255f);
            px[o + 3] = 255;
        }
        return bitmap;
    }
}
