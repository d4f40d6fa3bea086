using System.Security.Cryptography;
using SkiaSharp;

namespace StarGanLab.Data;

/// <summary>What <see cref="DatasetCheck"/> learns of one file. <see cref="Problem"/> is set when the file cannot be read or
/// decoded (then the size and grayness are unknown, 0 and false); <see cref="Sha256"/> is null only when it could not be read.</summary>
public sealed record ImageFacts(int Width, int Height, string? Sha256, bool Gray, string? Problem);

/// <summary>Reads a file once: its SHA-256 (exact duplicates), its header (size), and a decode at the smallest scale the
/// codec offers (1/8 for JPEG, full for PNG), which reads the whole stream, so truncation shows, and is enough to tell
/// grayscale: every pixel of a gray image has equal channels at any scale.</summary>
public static class ImageInspector
{
    /// <param name="grayTolerance">Largest channel difference a pixel of a gray image may have (JPEG chroma noise of an
    /// image saved in colour from a gray original).</param>
    public static ImageFacts Inspect(string path, long maxPixels, int grayTolerance)
    {
        if (ImageDecoder.ReadBounded(path, maxPixels, out string? reason) is not { } bytes) return new(0, 0, null, false, reason);
        string hash = Convert.ToHexStringLower(SHA256.HashData(bytes));
        using SKCodec? codec = ImageDecoder.TryOpen(bytes, maxPixels, out reason);
        if (codec is null) return new(0, 0, hash, false, reason);
        SKSizeI small = codec.GetScaledDimensions(1f / 8);
        var info = new SKImageInfo(small.Width, small.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        SKCodecResult result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
            return new(codec.Info.Width, codec.Info.Height, hash, false, $"decoding failed ({ImageDecoder.Describe(result)})");
        return new(codec.Info.Width, codec.Info.Height, hash, IsGray(bitmap.GetPixelSpan(), grayTolerance), null);
    }

    static bool IsGray(ReadOnlySpan<byte> rgba, int tolerance)
    {
        for (int i = 0; i + 2 < rgba.Length; i += 4)
        {
            int r = rgba[i], g = rgba[i + 1], b = rgba[i + 2];
            if (Math.Abs(r - g) > tolerance || Math.Abs(g - b) > tolerance || Math.Abs(r - b) > tolerance) return false;
        }
        return true;
    }
}
