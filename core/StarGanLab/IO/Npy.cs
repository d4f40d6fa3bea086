using System.Buffers.Binary;
using System.Text;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace StarGanLab.IO;

/// <summary>What a .npy header declares. <see cref="BigEndian"/> data is converted to the host order when read.</summary>
/// <param name="Bytes">Data bytes that follow the header (shape x item size, checked).</param>
public sealed record NpyHeader(ScalarType DType, int ItemSize, bool BigEndian, long[] Shape, long Bytes)
{
    public string Describe() => $"shape ({string.Join(", ", Shape)}{(Shape.Length == 1 ? "," : "")}) {DType.ToString().ToLowerInvariant()}";
}

/// <summary>Reads NumPy .npy files (format 1.x/2.x/3.x, C order, float32/float64/int64/int32/uint8/bool in either byte
/// order; no pickled objects). Used for parity fixtures and landmark means. The header is read and its shape held
/// against the limit and the bytes available before any data is read.</summary>
public static partial class Npy
{
    static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>The most data bytes one array may have (a managed buffer holds it on its way into the tensor).</summary>
    public const long MaxBytes = int.MaxValue;

    public static Tensor Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    /// <summary>Reads one array from <paramref name="stream"/>; <paramref name="name"/> names it in errors.</summary>
    /// <param name="available">Bytes the stream holds from here (an .npz entry's declared size); by default what is
    /// left of a seekable stream, else unknown.</param>
    public static Tensor Read(Stream stream, string name, long? available = null, long maxBytes = MaxBytes)
    {
        available ??= stream.CanSeek ? stream.Length - stream.Position : null;
        var header = ReadHeader(stream, name, out int headerBytes);
        if (header.Bytes > maxBytes)
            throw new InvalidDataException($"{name}: .npy {header.Describe()} needs {header.Bytes} bytes, more than the limit of {maxBytes}");
        if (available - headerBytes < header.Bytes)
            throw new InvalidDataException($"{name}: truncated .npy file: expected {header.Bytes} data bytes for {header.Describe()}, found {available - headerBytes}");
        return ReadData(stream, header, name);
    }

    /// <summary>The header, from magic to the end of the dict; <paramref name="headerBytes"/> is how many bytes it took.</summary>
    public static NpyHeader ReadHeader(Stream stream, string name, out int headerBytes)
    {
        var reader = new BinaryReader(stream);
        byte[] magic = reader.ReadBytes(6);
        if (!magic.AsSpan().SequenceEqual(Magic))
            throw new InvalidDataException($"{name}: not a .npy file (bad magic)");
        byte major = reader.ReadByte();
        reader.ReadByte();
        int headerLen = major == 1 ? reader.ReadUInt16() : (int)reader.ReadUInt32();
        if (headerLen <= 0 || headerLen > 1 << 20)
            throw new InvalidDataException($"{name}: .npy header length {headerLen} is out of range");
        string header = Encoding.Latin1.GetString(reader.ReadBytes(headerLen));
        headerBytes = 8 + (major == 1 ? 2 : 4) + headerLen;

        var descr = DescrRegex().Match(header);
        var shapeMatch = ShapeRegex().Match(header);
        if (!descr.Success || !shapeMatch.Success)
            throw new InvalidDataException($"{name}: .npy header '{header.Trim()}' lacks descr or shape");
        if (FortranRegex().IsMatch(header))
            throw new InvalidDataException($"{name}: Fortran-ordered .npy arrays are not supported (expected C order)");
        string[] dims = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        long[] shape = dims.Select(d => long.TryParse(d, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n)
            ? n : throw new InvalidDataException($"{name}: .npy shape ({string.Join(", ", dims)}) has a dimension that is not a non-negative integer")).ToArray();

        // '<' little-endian, '>' big-endian, '|' not applicable (one byte); '=' (native) never appears in files numpy writes.
        string d = descr.Groups[1].Value;
        (ScalarType Type, int Size)? kind = d.Length == 3 && d[0] is '<' or '>' or '|' ? d[1..] switch
        {
            "f4" => (ScalarType.Float32, 4),
            "f8" => (ScalarType.Float64, 8),
            "i8" => (ScalarType.Int64, 8),
            "i4" => (ScalarType.Int32, 4),
            "u1" => (ScalarType.Byte, 1),
            "b1" => (ScalarType.Bool, 1),
            _ => null,
        } : null;
        if (kind is not var (dtype, itemSize) || d[0] == '|' && itemSize > 1)
            throw new InvalidDataException($"{name}: .npy dtype '{d}' is not supported (expected f4, f8, i4, i8, u1 or b1, little- or big-endian)");
        long bytes = DeclaredSizes.ByteCount(shape, itemSize)
            ?? throw new InvalidDataException($"{name}: .npy shape ({string.Join(", ", shape)}) is too large");
        return new NpyHeader(dtype, itemSize, d[0] == '>' && itemSize > 1, shape, bytes);
    }

    /// <summary>The data that follows <paramref name="header"/>, in host byte order.</summary>
    public static Tensor ReadData(Stream stream, NpyHeader header, string name)
    {
        if (header.Bytes > MaxBytes)
            throw new InvalidDataException($"{name}: .npy {header.Describe()} needs {header.Bytes} bytes, more than this reader supports");
        var data = new byte[header.Bytes];
        int got = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (got != data.Length)
            throw new InvalidDataException($"{name}: truncated .npy data ({got} of {header.Bytes} bytes)");
        if (header.BigEndian != !BitConverter.IsLittleEndian) SwapBytes(data, header.ItemSize);
        var t = empty(header.Shape, header.DType);
        t.bytes = data;
        return t;
    }

    static void SwapBytes(byte[] data, int itemSize)
    {
        var span = data.AsSpan();
        switch (itemSize)
        {
            case 4: BinaryPrimitives.ReverseEndianness(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(span), System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(span)); break;
            case 8: BinaryPrimitives.ReverseEndianness(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(span), System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(span)); break;
        }
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']+)'")]
    private static partial Regex DescrRegex();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapeRegex();
    [GeneratedRegex(@"'fortran_order'\s*:\s*True")]
    private static partial Regex FortranRegex();
}
