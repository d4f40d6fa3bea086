using StarGanLab.Native;
using static TorchSharp.torch;

using StarGanLab.IO;

namespace StarGanLab.Checkpoints;

/// <summary>
/// PyTorch checkpoints as the official StarGAN v2 code writes them: torch.save({net: state_dict}).
/// Reads both the zip format and the legacy pre-1.6 format through one allowlisting unpickler
/// (see <see cref="SafeUnpickler"/>), and writes the zip format torch 1.13 produces.
/// Returned tensors are CPU tensors owned by the caller.
/// </summary>
public static class OfficialCheckpoint
{
    /// <summary>
    /// {net: {key: tensor}} in file order. A file that is a flat dict of tensors comes back as the single net "".
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> Read(string path)
    {
        TorchRuntime.EnsureLoaded();
        var format = CheckpointFormats.Detect(path);
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return format switch
            {
                CheckpointFormat.PyTorchZip => PyTorchZipReader.Read(fs, path),
                CheckpointFormat.PyTorchLegacy => PyTorchLegacyReader.Read(fs, path),
                CheckpointFormat.Native => throw new CheckpointException(
                    $"{path}: is a StarGanLab native checkpoint, expected a PyTorch checkpoint (use NativeCheckpoint.Load)"),
                _ => throw new CheckpointException(
                    $"{path}: expected a PyTorch checkpoint (zip or legacy pickle), found {CheckpointFormats.Describe(path)}"),
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{path}: cannot be read: {e.Message}", e);
        }
    }

    /// <summary>
    /// One state dict: the net named <paramref name="net"/>, or, when null, the file's only state dict
    /// (a flat dict of tensors, or a wrapper such as wing.ckpt's {'state_dict': ...}).
    /// </summary>
    public static IReadOnlyDictionary<string, Tensor> ReadStateDict(string path, string? net = null)
    {
        var all = Read(path);
        IReadOnlyDictionary<string, Tensor>? chosen = null;
        if (net != null) all.TryGetValue(net, out chosen);
        else if (all.Count == 1) chosen = all.Values.Single();
        foreach (var (name, sd) in all)
            if (!ReferenceEquals(sd, chosen)) foreach (var t in sd.Values) t.Dispose();
        return chosen ?? throw new CheckpointException(net != null
            ? $"{path}: has no state dict '{net}' (it has: {string.Join(", ", all.Keys.Select(k => $"'{k}'"))})"
            : $"{path}: holds {all.Count} state dicts ({string.Join(", ", all.Keys.Select(k => $"'{k}'"))}); name the one to read");
    }

    /// <summary>
    /// Writes a torch.save-compatible zip checkpoint atomically. The archive folder is the file name
    /// without extension, as torch does; tensors are stored contiguous with requires_grad False.
    /// </summary>
    public static void Write(string path, IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> nets)
    {
        TorchRuntime.EnsureLoaded();
        string stem = Path.GetFileNameWithoutExtension(path);
        if (stem.Length == 0) throw new ArgumentException($"'{path}' has no file name to use as the archive folder", nameof(path));
        var (pickle, storages) = StateDictPickler.Pickle(nets);
        AtomicFile.Write(path, fs =>
        {
            var zip = new TorchZipWriter(fs);
            zip.Add($"{stem}/data.pkl", s => s.Write(pickle));
            // torch writes storages in sorted string order of their keys ("0", "1", "10", "100", "11", ...).
            var keys = Enumerable.Range(0, storages.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .OrderBy(k => k, StringComparer.Ordinal);
            foreach (var key in keys)
                zip.Add($"{stem}/data/{key}", s => TensorBytes.Write(storages[int.Parse(key, System.Globalization.CultureInfo.InvariantCulture)], s));
            zip.Add($"{stem}/version", s => s.Write("3\n"u8));
            zip.Finish();
        });
    }
}
