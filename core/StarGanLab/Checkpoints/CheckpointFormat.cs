using System.Text;

namespace StarGanLab.Checkpoints;

public enum CheckpointFormat
{
    Unknown,
    /// <summary>torch.save since 1.6: a zip archive holding data.pkl and raw storages.</summary>
    PyTorchZip,
    /// <summary>torch.save before 1.6 (and _use_new_zipfile_serialization=False): consecutive pickles then raw storages.</summary>
    PyTorchLegacy,
    /// <summary>Our own <see cref="NativeCheckpoint"/> file.</summary>
    Native,
}

/// <summary>Tells formats apart by their first bytes, never by file name: checkpoints get renamed.</summary>
public static class CheckpointFormats
{
    internal static readonly byte[] NativeMagic = "SGLCKPT1"u8.ToArray();

    public static CheckpointFormat Detect(string path)
    {
        var head = ReadHead(path, 8);
        return Detect(head);
    }

    internal static CheckpointFormat Detect(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith(NativeMagic)) return CheckpointFormat.Native;
        if (head.StartsWith("PK\x03\x04"u8) || head.StartsWith("PK\x05\x06"u8)) return CheckpointFormat.PyTorchZip;
        // The legacy format starts with pickle PROTO 2 followed by the pickled magic number (a LONG1).
        if (head.Length >= 3 && head[0] == 0x80 && head[1] == 2 && head[2] == 0x8a) return CheckpointFormat.PyTorchLegacy;
        return CheckpointFormat.Unknown;
    }

    /// <summary>A short human description of what a file looks like, for "expected X but found Y" errors.</summary>
    public static string Describe(string path)
    {
        var head = ReadHead(path, 8);
        if (head.Length == 0) return "an empty file";
        return Detect(head) switch
        {
            CheckpointFormat.Native => "a StarGanLab native checkpoint (SGLCKPT1)",
            CheckpointFormat.PyTorchZip => "a zip archive (PyTorch >= 1.6 checkpoint?)",
            CheckpointFormat.PyTorchLegacy => "a legacy PyTorch pickle checkpoint",
            _ when head.StartsWith("\x89PNG"u8) => "a PNG image",
            _ when head.StartsWith("\xff\xd8"u8) => "a JPEG image",
            _ => $"unrecognised data starting with {Convert.ToHexString(head)} (\"{Printable(head)}\")",
        };
    }

    static byte[] ReadHead(string path, int n)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var buf = new byte[n];
            int got = fs.ReadAtLeast(buf, n, throwOnEndOfStream: false);
            return buf[..got];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{path}: cannot be opened: {e.Message}", e);
        }
    }

    static string Printable(ReadOnlySpan<byte> b)
    {
        var sb = new StringBuilder();
        foreach (byte c in b) sb.Append(c is >= 0x20 and < 0x7f ? (char)c : '.');
        return sb.ToString();
    }
}
