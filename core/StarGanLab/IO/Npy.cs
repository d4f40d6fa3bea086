using System.Text;
using System.Text.RegularExpressions;
using static TorchSharp.torch;

namespace StarGanLab.IO;

/// <summary>Reads NumPy .npy files (format 1.x/2.x/3.x, C order, little-endian float32/float64/int64/int32/uint8/bool;
/// no pickled objects). Used for parity fixtures and landmark means.</summary>
public static partial class Npy
{
    static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    public static Tensor Read(string path)
    {
        using var stream = File.OpenRead(path);
        return Read(stream, path);
    }

    public static Tensor Read(Stream stream, string name)
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

        var descr = DescrRegex().Match(header);
        var shapeMatch = ShapeRegex().Match(header);
        if (!descr.Success || !shapeMatch.Success)
            throw new InvalidDataException($"{name}: .npy header '{header.Trim()}' lacks descr or shape");
        if (FortranRegex().IsMatch(header))
            throw new InvalidDataException($"{name}: Fortran-ordered .npy arrays are not supported (expected C order)");
        string[] dims = shapeMatch.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        long[] shape = dims.Select(d => long.TryParse(d, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n)
            ? n : throw new InvalidDataException($"{name}: .npy shape ({string.Join(", ", dims)}) has a dimension that is not a non-negative integer")).ToArray();

        (ScalarType dtype, int itemSize) = descr.Groups[1].Value switch
        {
            "<f4" => (ScalarType.Float32, 4),
            "<f8" => (ScalarType.Float64, 8),
            "<i8" => (ScalarType.Int64, 8),
            "<i4" => (ScalarType.Int32, 4),
            "|u1" => (ScalarType.Byte, 1),
            "|b1" => (ScalarType.Bool, 1),
            var d => throw new InvalidDataException($"{name}: .npy dtype '{d}' is not supported (expected little-endian f4, f8, i4, i8, u1 or b1)"),
        };
        // Checked: a crafted shape such as (2**32, 2**32) must not wrap around to a small byte count.
        long bytes;
        try { bytes = checked(shape.Aggregate(1L, (a, b) => a * b) * itemSize); }
        catch (OverflowException) { throw new InvalidDataException($"{name}: .npy shape ({string.Join(", ", shape)}) is too large"); }
        if (bytes > int.MaxValue)
            throw new InvalidDataException($"{name}: .npy array of shape ({string.Join(", ", shape)}) needs {bytes} bytes, more than this reader supports");
        if (stream.CanSeek && stream.Length - stream.Position < bytes)
            throw new InvalidDataException($"{name}: truncated .npy file: expected {bytes} data bytes for shape ({string.Join(", ", shape)}), found {stream.Length - stream.Position}");
        var data = reader.ReadBytes((int)bytes);
        if (data.Length != bytes)
            throw new InvalidDataException($"{name}: truncated .npy data ({data.Length} of {bytes} bytes)");
        var t = empty(shape, dtype);
        t.bytes = data;
        return t;
    }

    [GeneratedRegex(@"'descr'\s*:\s*'([^']+)'")]
    private static partial Regex DescrRegex();
    [GeneratedRegex(@"'shape'\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapeRegex();
    [GeneratedRegex(@"'fortran_order'\s*:\s*True")]
    private static partial Regex FortranRegex();
}
