using System.IO.Compression;
using static TorchSharp.torch;

namespace StarGanLab.IO;

/// <summary>Reads NumPy .npz archives (np.savez / np.savez_compressed: a zip of .npy files) into name -> tensor.
/// Entry names come from the file, so any that is not a plain "name.npy" (a folder, "..", an absolute path) is refused.</summary>
public static class Npz
{
    const long MaxEntryBytes = 1L << 31;

    public static IReadOnlyDictionary<string, Tensor> Read(string path)
    {
        using var zip = ZipFile.OpenRead(path);
        var result = new Dictionary<string, Tensor>();
        try
        {
            foreach (var entry in zip.Entries)
            {
                string name = entry.FullName;
                if (name.Contains("..") || name.Contains('/') || name.Contains('\\') || Path.IsPathRooted(name) || !name.EndsWith(".npy", StringComparison.Ordinal))
                    throw new InvalidDataException($"{path}: entry '{name}' is not a plain <name>.npy array entry");
                if (entry.Length > MaxEntryBytes)
                    throw new InvalidDataException($"{path}: entry '{name}' is {entry.Length} bytes, more than {MaxEntryBytes}");
                string key = name[..^4];
                if (result.ContainsKey(key))
                    throw new InvalidDataException($"{path}: entry '{name}' appears twice");
                using var stream = entry.Open();
                using var buffered = new MemoryStream();
                stream.CopyTo(buffered);   // Npy.Read reads sequentially; a deflate stream cannot report its position
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
