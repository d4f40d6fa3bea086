using System.IO.Compression;
using StarGanLab.IO;
using static TorchSharp.torch;

namespace StarGanLab.Checkpoints;

/// <summary>
/// Reads the torch.save zip format (torch >= 1.6): <c>&lt;stem&gt;/data.pkl</c> plus one raw
/// little-endian entry per storage, <c>&lt;stem&gt;/data/&lt;key&gt;</c>. Entries are read in memory,
/// never extracted, and their names are checked anyway so a crafted archive is refused loudly.
/// Why not PyBridge: it unpickles through Razorvine, which cannot be limited to an allowlist of globals.
/// </summary>
internal static class PyTorchZipReader
{
    /// <summary>Most entries in a checkpoint archive; torch writes one per storage (a few hundred for StarGAN v2).</summary>
    public const int MaxEntries = 65_536;
    /// <summary>Most uncompressed bytes all entries together may declare, relative to the file (torch stores entries
    /// uncompressed, so a real checkpoint is about 1x) and absolutely.</summary>
    public const long MaxCompressionRatio = DeclaredSizes.MaxExpansion;
    public const long MaxTotalBytes = 16L << 30;

    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> Read(Stream fs, string file)
    {
        long fileLength = fs.Length;
        ZipArchive zip;
        try { zip = new ZipArchive(fs, ZipArchiveMode.Read, leaveOpen: true); }
        catch (InvalidDataException e) { throw new CheckpointException($"{file}: not a readable zip archive: {e.Message}", e); }
        using (zip)
        {
            CheckBounds(zip, fileLength, file);
            foreach (var e in zip.Entries) CheckEntryName(e.FullName, file);
            if (ZipRules.DuplicateProblem(zip.Entries) is { } dup) throw new CheckpointException($"{file}: {dup}");
            var pkls = zip.Entries.Where(e => e.FullName.EndsWith("/data.pkl") && e.FullName.Count(c => c == '/') == 1).ToList();
            if (pkls.Count != 1)
                throw new CheckpointException($"{file}: expected exactly one '<name>/data.pkl' in the archive, found {pkls.Count}");
            string prefix = pkls[0].FullName[..^"data.pkl".Length];

            var refs = new Dictionary<string, StorageRef>();
            object PersistentLoad(object? pid)
            {
                var r = PersistentIds.Parse(pid, file, fileLength);
                if (refs.TryGetValue(r.Key, out var seen) && seen != r)
                    throw new CheckpointException($"{file}: storage '{r.Key}' is described twice with different types or sizes");
                return refs[r.Key] = r;
            }
            bool bigEndian = ByteOrder(zip, prefix, fileLength, file) == "big";
            using var pkl = ReadEntry(pkls[0], fileLength, file);
            var root = new SafeUnpickler(pkl, file, PersistentLoad).Load();

            var storages = new Dictionary<string, Tensor>();
            try
            {
                foreach (var r in refs.Values)
                {
                    string name = $"{prefix}data/{r.Key}";
                    var entry = zip.GetEntry(name) ?? throw new CheckpointException($"{file}: storage entry '{name}' is missing");
                    long expected = r.Numel * r.DType.ElementSize;
                    if (entry.Length != expected)
                        throw new CheckpointException($"{file}: entry '{name}' has {entry.Length} bytes, expected {expected} ({r.Numel} {r.DType.Name})");
                    var crc = new Crc32();
                    using (var s = OpenEntry(entry, fileLength, file))
                    using (var tapped = new TapStream(s, crc.Append))
                        storages[r.Key] = TensorBytes.ReadStorage(tapped, r.DType, r.Numel, file, $"entry '{name}'", bigEndian);
                    CheckCrc(entry, crc, file);
                }
                return StateDictAssembler.Assemble(root, storages, file);
            }
            catch (InvalidDataException e)
            {
                throw new CheckpointException($"{file}: corrupt zip archive: {e.Message}", e);
            }
            finally
            {
                foreach (var t in storages.Values) t.Dispose();
            }
        }
    }

    /// <summary>"little" or "big": what the archive's <c>byteorder</c> entry says (torch >= 1.13 writes it; older files,
    /// without it, are little-endian). Anything else is refused rather than guessed.</summary>
    static string ByteOrder(ZipArchive zip, string prefix, long fileLength, string file)
    {
        if (zip.GetEntry(prefix + "byteorder") is not { } entry) return "little";
        if (entry.Length > 16)
            throw new CheckpointException($"{file}: entry '{entry.FullName}' has {entry.Length} bytes, expected 'little' or 'big'");
        using var ms = ReadEntry(entry, fileLength, file);
        string order = System.Text.Encoding.ASCII.GetString(ms.ToArray()).Trim();
        return order is "little" or "big" ? order
            : throw new CheckpointException($"{file}: byteorder '{order}' is neither 'little' nor 'big'");
    }

    /// <summary>Zip bombs: too many entries, or entries declaring far more uncompressed bytes than the file could hold,
    /// are refused before any entry is inflated (the shared rule, <see cref="ZipRules.BoundsProblem"/>).</summary>
    internal static void CheckBounds(ZipArchive zip, long fileLength, string file)
    {
        if (ZipRules.BoundsProblem(zip, fileLength, MaxEntries, MaxTotalBytes) is { } problem)
            throw new CheckpointException($"{file}: {problem}");
    }

    /// <summary>Absolute names, drive letters, backslashes and '..' are refused even though nothing is extracted.</summary>
    internal static void CheckEntryName(string name, string file)
    {
        if (ZipRules.NameProblem(name) is { } problem) throw new CheckpointException($"{file}: {problem}");
    }

    static Stream OpenEntry(ZipArchiveEntry entry, long fileLength, string file)
    {
        if (entry.CompressedLength > fileLength || entry.Length > fileLength && entry.CompressedLength == entry.Length)
            throw new CheckpointException($"{file}: entry '{entry.FullName}' claims {entry.Length} bytes, more than the whole file");
        try { return entry.Open(); }
        catch (InvalidDataException e) { throw new CheckpointException($"{file}: entry '{entry.FullName}' cannot be read: {e.Message}", e); }
    }

    static MemoryStream ReadEntry(ZipArchiveEntry entry, long fileLength, string file)
    {
        // data.pkl of a state dict is small; a huge claimed size is a crafted or corrupt file.
        if (entry.Length > Math.Min(fileLength * 64, int.MaxValue))
            throw new CheckpointException($"{file}: entry '{entry.FullName}' claims {entry.Length} bytes, implausible for a {fileLength}-byte file");
        var ms = new MemoryStream((int)entry.Length);
        var crc = new Crc32();
        try
        {
            using var s = OpenEntry(entry, fileLength, file);
            using var tapped = new TapStream(s, crc.Append);
            tapped.CopyTo(ms);
        }
        catch (InvalidDataException e) { throw new CheckpointException($"{file}: entry '{entry.FullName}' is corrupt: {e.Message}", e); }
        CheckCrc(entry, crc, file);
        ms.Position = 0;
        return ms;
    }

    /// <summary>
    /// System.IO.Compression does not check the CRC of a stored entry read by length (it never sees the end),
    /// so a flipped bit in a tensor would go unnoticed without this.
    /// </summary>
    static void CheckCrc(ZipArchiveEntry entry, Crc32 crc, string file)
    {
        if (crc.Value != entry.Crc32)
            throw new CheckpointException($"{file}: entry '{entry.FullName}' fails its CRC-32 check (file corrupt)");
    }
}
