using SkiaSharp;
using StarGanLab.Data;

namespace StarGanLab.Tests.Data;

/// <summary>In-memory sources and image-file fixtures built by the tests themselves.</summary>
static class TestImages
{
    /// <summary>A source with the given image count per domain; each image is a solid colour encoding (domain, index).</summary>
    public sealed class SolidSource(int[] counts, int size = 8) : IImageSource
    {
        public IReadOnlyList<string> DomainNames { get; } = counts.Select((_, d) => $"d{d}").ToArray();
        public int Count(int domain) => counts[domain];
        public SKBitmap Load(int domain, int index)
        {
            var bmp = new SKBitmap(BitmapPixels.OpaqueRgba(size, size));
            bmp.Erase(new SKColor((byte)(40 * domain), (byte)(index % 256), (byte)(index / 256)));
            return bmp;
        }
    }

    public static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "stargan-data-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static byte[] Png(SKBitmap bitmap)
    {
        using SKData data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    public static byte[] SolidPng(int width, int height, SKColor color)
    {
        using var bmp = new SKBitmap(BitmapPixels.OpaqueRgba(width, height));
        bmp.Erase(color);
        return Png(bmp);
    }

    /// <summary>A PNG whose IHDR claims <paramref name="width"/>x<paramref name="height"/>; the pixel data is a real 4x4 image's.</summary>
    public static byte[] PngWithForgedSize(int width, int height)
    {
        byte[] png = SolidPng(4, 4, SKColors.Red);
        // Signature (8) + IHDR length (4) + "IHDR" (4), then width and height big-endian; the chunk's CRC follows the 13 data bytes.
        WriteBigEndian(png, 16, (uint)width);
        WriteBigEndian(png, 20, (uint)height);
        WriteBigEndian(png, 29, Crc32(png.AsSpan(12, 17)));
        return png;
    }

    /// <summary>
    /// A baseline JPEG with four components and an Adobe APP14 marker (transform 0): a CMYK JPEG as Photoshop writes
    /// them, with inverted ink values. SkiaSharp cannot encode CMYK, so this builds the smallest valid one: every
    /// 8x8 block constant (DC only), unit quantisation, a 12-symbol DC Huffman table and an EOB-only AC table.
    /// </summary>
    public static byte[] CmykJpeg(int widthBlocks, int heightBlocks, byte c, byte m, byte y, byte k)
    {
        var o = new List<byte> { 0xFF, 0xD8 };
        void Segment(byte marker, params byte[] body)
        {
            o.AddRange([0xFF, marker, (byte)((body.Length + 2) >> 8), (byte)(body.Length + 2)]);
            o.AddRange(body);
        }
        Segment(0xEE, [.. "Adobe"u8, 0x00, 0x64, 0, 0, 0, 0, 0]);
        Segment(0xDB, [0x00, .. Enumerable.Repeat((byte)1, 64)]);
        int w = 8 * widthBlocks, h = 8 * heightBlocks;
        Segment(0xC0, [8, (byte)(h >> 8), (byte)h, (byte)(w >> 8), (byte)w, 4, 1, 0x11, 0, 2, 0x11, 0, 3, 0x11, 0, 4, 0x11, 0]);
        byte[] dcBits = new byte[16]; dcBits[3] = 12;                      // categories 0..11, all 4-bit codes
        Segment(0xC4, [0x00, .. dcBits, .. Enumerable.Range(0, 12).Select(i => (byte)i)]);
        byte[] acBits = new byte[16]; acBits[0] = 1;                       // EOB only, code "0"
        Segment(0xC4, [0x10, .. acBits, 0x00]);
        Segment(0xDA, [4, 1, 0x00, 2, 0x00, 3, 0x00, 4, 0x00, 0, 63, 0]);

        var bits = new BitWriter();
        byte[] values = [(byte)(255 - c), (byte)(255 - m), (byte)(255 - y), (byte)(255 - k)];   // Adobe stores inverted
        for (int mcu = 0; mcu < widthBlocks * heightBlocks; mcu++)
            foreach (byte v in values)
            {
                int diff = mcu == 0 ? 8 * (v - 128) : 0;                    // DC of a constant block is 8*(v-128)
                int cat = diff == 0 ? 0 : 32 - int.LeadingZeroCount(Math.Abs(diff));
                bits.Write(cat, 4);                                         // canonical code of symbol cat is cat itself
                if (cat > 0) bits.Write(diff > 0 ? diff : diff + (1 << cat) - 1, cat);
                bits.Write(0, 1);                                           // EOB
            }
        o.AddRange(bits.Finish());
        o.AddRange([0xFF, 0xD9]);
        return o.ToArray();
    }

    sealed class BitWriter
    {
        readonly List<byte> bytes = [];
        int acc, n;
        public void Write(int value, int count)
        {
            for (int i = count - 1; i >= 0; i--)
            {
                acc = (acc << 1) | ((value >> i) & 1);
                if (++n == 8) Flush();
            }
        }
        void Flush()
        {
            bytes.Add((byte)acc);
            if (acc == 0xFF) bytes.Add(0);                                 // byte stuffing
            acc = 0; n = 0;
        }
        public List<byte> Finish()
        {
            while (n != 0) Write(1, 1);                                     // pad with ones
            return bytes;
        }
    }

    static void WriteBigEndian(byte[] b, int at, uint v)
    {
        b[at] = (byte)(v >> 24); b[at + 1] = (byte)(v >> 16); b[at + 2] = (byte)(v >> 8); b[at + 3] = (byte)v;
    }

    static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int i = 0; i < 8; i++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
