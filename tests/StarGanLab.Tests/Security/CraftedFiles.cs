using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using SkiaSharp;
using StarGanLab.Tests.Checkpoints;
using StarGanLab.Tests.Data;

namespace StarGanLab.Tests.Security;

/// <summary>Builders for the hostile files of <see cref="CraftedFileTests"/>, written without Python or NumPy.</summary>
internal static class CraftedFiles
{
    /// <summary>A torch checkpoint around <paramref name="pickle"/>: "zip" (torch >= 1.6) or "legacy" (magic, protocol, sys_info first).</summary>
    public static void Checkpoint(string path, string container, byte[] pickle)
    {
        if (container == "legacy") File.WriteAllBytes(path, [.. PickleBuilder.LegacyPreamble(), .. pickle]);
        else PickleBuilder.WriteZip(path, ("evil/data.pkl", pickle), ("evil/version", "3\n"u8.ToArray()));
    }

    /// <summary>A .npy (format 1.0) with the given header dict and raw data.</summary>
    public static byte[] Npy(string descr, string shape, byte[] data)
    {
        string header = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}";
        int total = 10 + header.Length + 1;
        header = header.PadRight(header.Length + (64 - total % 64) % 64) + "\n";
        var o = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 };
        o.AddRange(BitConverter.GetBytes((ushort)header.Length));
        o.AddRange(Encoding.ASCII.GetBytes(header));
        o.AddRange(data);
        return [.. o];
    }

    /// <summary>A zip of the given entries; <paramref name="level"/> as np.savez (stored) or np.savez_compressed.</summary>
    public static byte[] Zip(IEnumerable<(string Name, byte[] Data)> entries, CompressionLevel level = CompressionLevel.NoCompression)
    {
        var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
            foreach (var (name, data) in entries)
            {
                using var s = zip.CreateEntry(name, level).Open();
                s.Write(data);
            }
        return ms.ToArray();
    }

    /// <summary>Overwrites the uncompressed size that every local and central directory header declares.</summary>
    public static byte[] ForgeUncompressedSizes(byte[] zip, uint size)
    {
        var z = (byte[])zip.Clone();
        for (int i = 0; i + 30 <= z.Length; i++)
        {
            uint sig = BinaryPrimitives.ReadUInt32LittleEndian(z.AsSpan(i));
            if (sig == 0x04034b50) BinaryPrimitives.WriteUInt32LittleEndian(z.AsSpan(i + 22), size);
            else if (sig == 0x02014b50) BinaryPrimitives.WriteUInt32LittleEndian(z.AsSpan(i + 24), size);
        }
        return z;
    }

    public static byte[] PngBomb() => TestImages.PngWithForgedSize(100_000, 100_000);

    /// <summary>A real 16x16 JPEG whose SOF0 header claims 65000x65000, near the most libjpeg accepts (65500)
    /// (4.2 gigapixels; JPEG dimensions are 16-bit, so 100000 cannot be written).</summary>
    public static byte[] JpegBomb()
    {
        using var bmp = new SKBitmap(16, 16);
        bmp.Erase(SKColors.Blue);
        using var data = bmp.Encode(SKEncodedImageFormat.Jpeg, 90);
        var jpg = data.ToArray();
        int sof = FindMarker(jpg, 0xC0);
        BinaryPrimitives.WriteUInt16BigEndian(jpg.AsSpan(sof + 5), 65000);   // height
        BinaryPrimitives.WriteUInt16BigEndian(jpg.AsSpan(sof + 7), 65000);   // width
        return jpg;
    }

    public static byte[] SmallJpeg()
    {
        using var bmp = new SKBitmap(16, 16);
        bmp.Erase(SKColors.Green);
        using var data = bmp.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    static int FindMarker(byte[] b, byte marker)
    {
        for (int i = 2; i + 1 < b.Length; i++)
            if (b[i] == 0xFF && b[i + 1] == marker) return i;
        throw new InvalidOperationException($"JPEG marker FF{marker:X2} not found");
    }

    /// <summary>Ten levels of ten aliases: 10^10 nodes if expanded.</summary>
    public static string BillionLaughs()
    {
        var sb = new StringBuilder("name: t\ndata: {source: synthetic, synthetic_domains: 2}\nl0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i < 10; i++)
            sb.Append($"l{i}: &l{i} [{string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10))}]\n");
        return sb.ToString();
    }
}
