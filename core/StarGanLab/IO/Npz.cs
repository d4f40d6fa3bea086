using System.IO.Compression;
using static TorchSharp.torch;

namespace StarGanLab.IO;

/// <summary>Reads NumPy .npz archives (np.savez / np.savez_compressed: a zip of .npy files) into name -> tensor.
/// Entry names come from the file, so any that is not a plain "name.npy" (a folder, "..", an absolute path) is refused.
/// Nothing is extracted to disk. Zip bombs are bounded before anything is inflated: at most
/// <see cref="NpzLimits.MaxEntries"/> entries, at most <see cref="NpzLimits.MaxTotalBytes"/> declared uncompressed
/// bytes in all and no more than <see cref="DeclaredSizes.MaxExpansion"/> times the file's size; each entry's .npy
/// header is then read and its shape held against the entry's declared size and the limits before its data is
/// inflated. Every error names the file.</summary>
public static class Npz
{
    public static IReadOnlyDictionary<string, Tensor> Read(string path, NpzLimits? limits = null)
    {
        limits ??= new();
        try
        {
            using var zip = ZipFile.OpenRead(path);
            CheckBounds(zip, path, new FileInfo(path).Length, limits);
            return ReadEntries(zip, path, limits);
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(path, StringComparison.Ordinal))
        {
            // System.IO.Compression's own errors (a truncated or corrupt archive) do not say which file.
            throw new InvalidDataException($"{path}: not a readable .npz (zip) archive: {e.Message}", e);
        }
    }

    static void CheckBounds(ZipArchive zip, string path, long fileLength, NpzLimits limits)
    {
        var entries = zip.Entries;
        if (entries.Count > limits.MaxEntries)
            throw new InvalidDataException($"{path}: has {entries.Count} entries, more than the limit of {limits.MaxEntries} (zip bomb?)");
        long plausible = DeclaredSizes.InflationLimit(fileLength, limits.MaxTotalBytes);
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
        if (total > plausible)
            throw new InvalidDataException(
                $"{path}: entries declare {total} uncompressed bytes, implausible for a {fileLength}-byte file (more than {DeclaredSizes.MaxExpansion}x; zip bomb?)");
    }

    static Dictionary<string, Tensor> ReadEntries(ZipArchive zip, string path, NpzLimits limits)
    {
        var result = new Dictionary<string, Tensor>();
        try
        {
            foreach (var entry in zip.Entries)
            {
                string name = entry.FullName;
                string key = name[..^4];
                if (result.ContainsKey(key))
                    throw new InvalidDataException($"{path}: entry '{name}' appears twice");
                // System.IO.Compression stops an entry's stream at its declared size, so an entry that lies about its
                // size cannot inflate past it; the header's shape is checked against that size before the data is read.
                using var stream = entry.Open();
                result[key] = Npy.Read(stream, $"{path}[{name}]", available: entry.Length, maxBytes: limits.MaxEntryBytes);
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

/// <summary>Bounds for <see cref="Npz.Read"/>. The defaults are far above any landmark or fixture file we read; a
/// caller that knows what it expects (the mean landmarks are 784 bytes) passes tighter ones.</summary>
/// <param name="MaxEntries">Most entries (arrays) in one archive.</param>
/// <param name="MaxEntryBytes">Most uncompressed bytes of one entry.</param>
/// <param name="MaxTotalBytes">Most uncompressed bytes of all entries together.</param>
public sealed record NpzLimits(int MaxEntries = 4096, long MaxEntryBytes = 1L << 31, long MaxTotalBytes = 4L << 30);
