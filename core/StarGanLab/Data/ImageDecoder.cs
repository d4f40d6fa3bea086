using SkiaSharp;

namespace StarGanLab.Data;

/// <summary>
/// Decodes image files with SkiaSharp into opaque RGBA8888, refusing oversized images by their header first.
/// Any input Skia reads (grayscale, palette, 16-bit PNG, CMYK JPEG, RGBA) comes out as 8-bit RGB; alpha is
/// dropped rather than composited, as PIL's convert('RGB') in the official loader does.
/// </summary>
public static class ImageDecoder
{
    const long MetadataAllowance = 64L << 20;

    /// <summary>Decodes <paramref name="path"/>; throws <see cref="DataException"/> naming the file when it cannot.</summary>
    public static SKBitmap Decode(string path, long maxPixels)
    {
        using SKCodec codec = Open(path, maxPixels);
        SKSizeI size = codec.Info.Size;
        using var unpremul = new SKBitmap(new SKImageInfo(size.Width, size.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        SKCodecResult result = codec.GetPixels(unpremul.Info, unpremul.GetPixels());
        if (result != SKCodecResult.Success)
            throw new DataException($"'{path}': decoding failed ({Describe(result)})");
        var opaque = new SKBitmap(BitmapPixels.OpaqueRgba(size.Width, size.Height));
        ReadOnlySpan<byte> src = unpremul.GetPixelSpan();
        Span<byte> dst = opaque.GetPixelSpan();
        src.CopyTo(dst);
        for (int i = 3; i < dst.Length; i += 4) dst[i] = 255;
        return opaque;
    }

    /// <summary>
    /// Null when the file is usable, else why not. Reads the header, then (when <paramref name="decode"/>) decodes at the
    /// smallest scale the codec offers: the whole stream is still read, so truncation shows.
    /// </summary>
    public static string? Probe(string path, long maxPixels, bool decode)
    {
        using SKCodec? codec = TryOpen(path, maxPixels, out string? reason);
        if (codec is null || !decode) return reason;
        SKSizeI small = codec.GetScaledDimensions(1f / 8);
        var info = new SKImageInfo(small.Width, small.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        SKCodecResult result = codec.GetPixels(info, bitmap.GetPixels());
        return result == SKCodecResult.Success ? null : $"decoding failed ({Describe(result)})";
    }

    static SKCodec Open(string path, long maxPixels) =>
        TryOpen(path, maxPixels, out string? reason) ?? throw new DataException($"'{path}': {reason}");

    /// <summary>The codec with its header read (no pixels decoded yet), or null and the reason.</summary>
    static SKCodec? TryOpen(string path, long maxPixels, out string? reason) =>
        ReadBounded(path, maxPixels, out reason) is { } bytes ? TryOpen(bytes, maxPixels, out reason) : null;

    /// <summary>The file's bytes, or null and the reason: not a regular file, unreadable, empty, or larger than any
    /// image of <paramref name="maxPixels"/> could be.</summary>
    internal static byte[]? ReadBounded(string path, long maxPixels, out string? reason)
    {
        // Looked at before opening: a FIFO would block the open, a device would be read without end.
        if (Native.FileKinds.NotARegularFile(path) is { } kind)
        {
            reason = $"not a regular file: {kind}";
            return null;
        }
        byte[] bytes;
        try
        {
            // A file far larger than any image of maxPixels could be is not read at all (16-bit RGBA stored
            // uncompressed, plus room for metadata).
            long length = new FileInfo(path).Length, maxBytes = maxPixels * 8 + MetadataAllowance;
            if (length > maxBytes)
            {
                reason = $"refused: the file has {length} bytes, more than an image of at most {maxPixels} pixels needs ({maxBytes})";
                return null;
            }
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            reason = $"cannot be read ({e.Message})";
            return null;
        }
        if (bytes.Length == 0)
        {
            reason = "empty file";
            return null;
        }
        reason = null;
        return bytes;
    }

    /// <summary>A codec over <paramref name="bytes"/> with its header read and its size held to the limit, or null and the reason.</summary>
    internal static SKCodec? TryOpen(byte[] bytes, long maxPixels, out string? reason)
    {
        SKCodec? codec = SKCodec.Create(new MemoryStream(bytes, writable: false), out SKCodecResult result);
        if (codec is null)
        {
            reason = $"not a readable image ({Describe(result)})";
            return null;
        }
        (int w, int h) = (codec.Info.Width, codec.Info.Height);
        if ((long)w * h > maxPixels)
        {
            codec.Dispose();
            reason = $"refused: header says {w}x{h} = {(long)w * h} pixels, more than the limit of {maxPixels} (possible decompression bomb)";
            return null;
        }
        reason = null;
        return codec;
    }

    internal static string Describe(SKCodecResult r) => r switch
    {
        SKCodecResult.IncompleteInput => "truncated: incomplete input",
        SKCodecResult.ErrorInInput => "corrupt data",
        SKCodecResult.Unimplemented => "unsupported format",
        _ => r.ToString(),
    };
}
