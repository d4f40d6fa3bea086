using System.IO.Compression;
using static TorchSharp.torch;

namespace StarGanLab.IO;

/// <summary>Reads NumPy .npz archives (np.savez / np.savez_compressed: a zip of .npy files) into name -> tensor.
/// Entry names come from the file, so any that is not a plain "name.npy" (a folder, "..", an absolute path) is refused.
/// Nothing is extracted to disk. Zip bombs are bounded before anything is inflated: at most
/// <see cref="NpzLimits.MaxEntries"/> entries and <see cref="NpzLimits.MaxTotalBytes"/> declared uncompressed bytes
/// in all, and no entry may inflate to more than it declared.</summary>
public static class Npz
{
    public static IReadOnlyDictionary<string, Tensor> Read(string path, NpzLimits? limits = null)
    {
        limits ??= new();
        using var zip = ZipFile.OpenRead(path);
        var entries = zip.Entries;
        if (entries.Count > limits.MaxEntries)
            throw new InvalidDataException($"{path}: has {entries.Count} entries, more than the limit of {limits.MaxEntries} (zip bomb?)");
        long total = 0;
        foreach (var entry in entries)
        {
            string name = entry.FullName;
            if (name.Contains("..") || name.Contains('/') || name.Contains('\\') || Path.IsPathRooted(name) || !name.EndsWith(".npy", StringComparison.Ordinal))
                throw new InvalidDataException($"{path}: entry '{name}' is not a plain <name>.npy array entry");
            if (entry.Length > limits.MaxEntryBytes)
                throw new InvalidDataException($"{path}: entry '{name}' is {entry.Length} bytes, more than {limits.MaxEntryBytes}");
            total += entry.Length;
            if (total > limits.MaxTotalBytes)
                throw new InvalidDataException(
                    $"{path}: entries declare more than {limits.MaxTotalBytes} uncompressed bytes in all (zip bomb?); see NpzLimits to raise the limit");
        }
        var result = new Dictionary<string, Tensor>();
        try
        {
            foreach (var entry in entries)
            {
                string name = entry.FullName;
                string key = name[..^4];
                if (result.ContainsKey(key))
                    throw new InvalidDataException($"{path}: entry '{name}' appears twice");
                using var stream = entry.Open();
                // Npy.Read reads sequentially; a deflate stream cannot report its position. Read at most one byte
                // more than declared, so an entry that lies about its size cannot inflate without bound.
                var buffered = new MemoryStream((int)Math.Min(entry.Length, int.MaxValue));
                var buf = new byte[81920];
                int n;
                while ((n = stream.Read(buf, 0, (int)Math.Min(buf.Length, entry.Length + 1 - buffered.Length))) > 0)
                {
                    buffered.Write(buf, 0, n);
                    if (buffered.Length > entry.Length)
                        throw new InvalidDataException($"{path}: entry '{name}' inflates to more than the {entry.Length} bytes it declares");
                }
                buffered.Position = 0;
                result[key] = Npy.Read(buffered, $"{path}[{name}]");
            }
        }
        catch
        {
            foreach (var t in result.Values) t.Dispose();
            throw;
        }
        return result;
    }
}

/// <summary>Bounds for <see cref="Npz.Read"/>. The defaults are far above any landmark or fixture file we read.</summary>
/// <param name="MaxEntries">Most entries (arrays) in one archive.</param>
/// <param name="MaxEntryBytes">Most uncompressed bytes of one entry.</param>
/// <param name="MaxTotalBytes">Most uncompressed bytes of all entries together.</param>
public sealed record NpzLimits(int MaxEntries = 4096, long MaxEntryBytes = 1L << 31, long MaxTotalBytes = 4L << 30);
