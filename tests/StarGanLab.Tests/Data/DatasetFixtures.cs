using System.IO.Compression;
using SkiaSharp;
using StarGanLab.Data;

namespace StarGanLab.Tests.Data;

/// <summary>Small data sets in the official downloads' layouts (split/domain/files), made by the tests: colour noise, so
/// no two images are equal and none is gray; and their zip archives.</summary>
static class DatasetFixtures
{
    /// <summary>A spec like AFHQ's, at a tiny size and count, whose every cell is published with <paramref name="perDomain"/>.</summary>
    public static DatasetSpec Tiny(int perDomain = 3, int size = 16, string name = "tiny", string[]? splits = null, string[]? domains = null)
    {
        splits ??= ["train", "val"];
        domains ??= ["cat", "dog", "wild"];
        var counts = splits.SelectMany(s => domains.Select(d => new ExpectedCount(s, d, perDomain, "fabricated by the test"))).ToList();
        return new DatasetSpec(name, splits, domains, size, counts);
    }

    /// <summary>Writes <paramref name="spec"/>'s folders under <paramref name="dir"/> with <paramref name="perDomain"/> images each
    /// (JPEG unless <paramref name="png"/>), at <paramref name="size"/> (default the spec's); returns <paramref name="dir"/>.</summary>
    public static string Write(string dir, DatasetSpec spec, int perDomain, int? size = null, bool png = false, int seed = 1)
    {
        var rng = new Random(seed);
        foreach (string split in spec.Splits)
            foreach (string domain in spec.Domains)
            {
                string folder = Path.Combine(dir, split, domain);
                Directory.CreateDirectory(folder);
                for (int i = 0; i < perDomain; i++)
                    File.WriteAllBytes(Path.Combine(folder, $"{domain}_{split}_{i:D4}.{(png ? "png" : "jpg")}"), Noise(size ?? spec.ImageSize, size ?? spec.ImageSize, rng, png));
            }
        return dir;
    }

    /// <summary>Smooth colour gradients plus noise: distinct for every draw, far from gray, and compressible as a photo is.</summary>
    public static byte[] Noise(int width, int height, Random rng, bool png = false, bool gray = false)
    {
        using var bmp = new SKBitmap(BitmapPixels.OpaqueRgba(width, height));
        int r0 = rng.Next(256), g0 = rng.Next(256), b0 = rng.Next(256);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                byte r = (byte)((r0 + 9 * x + rng.Next(24)) % 256), g = (byte)((g0 + 7 * y + rng.Next(24)) % 256), b = (byte)((b0 + 5 * (x + y) + rng.Next(24)) % 256);
                bmp.SetPixel(x, y, gray ? new SKColor(r, r, r) : new SKColor(r, g, b));
            }
        using SKData data = bmp.Encode(png ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg, 95);
        return data.ToArray();
    }

    /// <summary>Zips <paramref name="dir"/>'s contents, inside a top folder <paramref name="top"/> when given (as afhq.zip holds afhq/).</summary>
    public static string Zip(string dir, string zipPath, string? top)
    {
        using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create);
        foreach (string file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string rel = Path.GetRelativePath(dir, file).Replace('\\', '/');
            zip.CreateEntryFromFile(file, top is null ? rel : $"{top}/{rel}", CompressionLevel.Fastest);
        }
        return zipPath;
    }

    /// <summary>A zip of the given entries; <c>mode</c> is the Unix mode stored in the external attributes (0: none).</summary>
    public static string Crafted(string zipPath, params (string Name, byte[] Data, int Mode)[] entries)
    {
        using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create);
        foreach (var (name, data, mode) in entries)
        {
            var e = zip.CreateEntry(name, CompressionLevel.Optimal);
            if (mode != 0) e.ExternalAttributes = mode << 16;
            using var s = e.Open();
            s.Write(data);
        }
        return zipPath;
    }

    /// <summary>Every file and folder under <paramref name="dir"/>, relative, for "nothing changed" assertions.</summary>
    public static string[] Tree(string dir) =>
        Directory.Exists(dir) ? Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(dir, p)).Order(StringComparer.Ordinal).ToArray() : [];
}
