using System.IO.Compression;

namespace StarGanLab.IO;

/// <summary>Bounds for <see cref="SafeZipExtractor.Extract"/>. Image data sets are already compressed (JPEG, PNG), so
/// their archives declare about 1x their size; the defaults are far above AFHQ (16k files, ~7 GB for v2) and
/// CelebA-HQ (30k files).</summary>
/// <param name="MaxEntries">Most entries (files and folders) in the archive.</param>
/// <param name="MaxEntryBytes">Most uncompressed bytes of one entry.</param>
/// <param name="MaxTotalBytes">Most uncompressed bytes of all entries together.</param>
public sealed record ZipExtractLimits(int MaxEntries = 500_000, long MaxEntryBytes = 1L << 30, long MaxTotalBytes = 256L << 30);

/// <summary>What an extraction wrote: the top-level files and folders it placed in the destination.</summary>
public sealed record ZipExtractResult(string Destination, IReadOnlyList<string> TopLevel, int Files, long Bytes);

/// <summary>
/// Unpacks a stranger's zip into a folder under <see cref="ZipRules"/>: every entry is checked before anything is
/// written; an existing file is never replaced unless <c>overwrite</c> is set; everything is inflated into a hidden
/// folder inside the destination first (the same file system, so the final step is a rename), with each entry held to its
/// declared size and CRC-32. A refused or failed archive leaves the destination as it was.
/// </summary>
public static class SafeZipExtractor
{
    const string TempPrefix = ".stargan-unpack-";

    /// <param name="progress">Called with (bytes written, bytes declared in all) as entries are inflated.</param>
    public static ZipExtractResult Extract(string archive, string destination, bool overwrite = false,
                                           ZipExtractLimits? limits = null, Action<long, long>? progress = null)
    {
        limits ??= new();
        string dest = Path.TrimEndingDirectorySeparator(Path.GetFullPath(destination));
        if (!File.Exists(archive)) throw new FileNotFoundException($"archive '{archive}' does not exist", archive);
        if (File.Exists(dest)) throw new IOException($"'{dest}' is a file; expected a folder to unpack '{archive}' into");
        long fileLength = new FileInfo(archive).Length;
        ZipArchive zip;
        try { zip = ZipFile.OpenRead(archive); }
        catch (InvalidDataException e) { throw new InvalidDataException($"{archive}: not a readable zip archive: {e.Message}", e); }
        using (zip)
        {
            var entries = Validate(zip, archive, fileLength, limits);
            RefuseCollisions(entries, archive, dest, overwrite);
            bool created = !Directory.Exists(dest);
            Directory.CreateDirectory(dest);
            string temp = Path.Combine(dest, TempPrefix + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(temp);
            try
            {
                long declared = entries.Sum(e => e.Length), written = 0;
                int files = 0;
                foreach (var entry in entries)
                {
                    string target = Inside(temp, entry.FullName, archive);
                    if (entry.FullName.EndsWith('/'))
                    {
                        Directory.CreateDirectory(target);
                        continue;
                    }
                    Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                    written += Inflate(entry, target, archive);
                    files++;
                    progress?.Invoke(written, declared);
                }
                string[] topLevel = Directory.EnumerateFileSystemEntries(temp).Select(p => Path.GetFileName(p)).Order(StringComparer.Ordinal).ToArray();
                foreach (string name in topLevel) MoveInto(Path.Combine(temp, name), Path.Combine(dest, name));
                Directory.Delete(temp, recursive: true);
                return new ZipExtractResult(dest, topLevel, files, written);
            }
            catch
            {
                try
                {
                    Directory.Delete(temp, recursive: true);
                    if (created && !Directory.EnumerateFileSystemEntries(dest).Any()) Directory.Delete(dest);
                }
                catch (IOException) { /* best effort: the original error matters more */ }
                throw;
            }
        }
    }

    /// <summary>Every rule, on every entry, before a byte is written.</summary>
    static List<ZipArchiveEntry> Validate(ZipArchive zip, string archive, long fileLength, ZipExtractLimits limits)
    {
        if (ZipRules.BoundsProblem(zip, fileLength, limits.MaxEntries, limits.MaxTotalBytes) is { } bounds)
            throw new InvalidDataException($"{archive}: {bounds}");
        foreach (var e in zip.Entries)
        {
            if ((ZipRules.NameProblem(e.FullName) ?? ZipRules.KindProblem(e)) is { } problem)
                throw new InvalidDataException($"{archive}: {problem}");
            if (e.Name.StartsWith(TempPrefix, StringComparison.Ordinal) || e.FullName.StartsWith(TempPrefix, StringComparison.Ordinal))
                throw new InvalidDataException($"{archive}: refusing zip entry '{e.FullName}': the name is reserved for unpacking");
            if (e.Length > limits.MaxEntryBytes)
                throw new InvalidDataException($"{archive}: entry '{e.FullName}' declares {e.Length} bytes, more than the limit of {limits.MaxEntryBytes}");
        }
        if (ZipRules.DuplicateProblem(zip.Entries) is { } dup) throw new InvalidDataException($"{archive}: {dup}");
        // A file 'a' and an entry 'a/b' cannot both exist on disk.
        var folders = new HashSet<string>(zip.Entries.SelectMany(e => Parents(e.FullName.TrimEnd('/'))), StringComparer.Ordinal);
        if (zip.Entries.FirstOrDefault(e => !e.FullName.EndsWith('/') && folders.Contains(e.FullName)) is { } clash)
            throw new InvalidDataException($"{archive}: zip entry '{clash.FullName}' is a file and also a folder of other entries");
        return zip.Entries.ToList();
    }

    static IEnumerable<string> Parents(string name)
    {
        for (int i = name.IndexOf('/'); i >= 0; i = name.IndexOf('/', i + 1)) yield return name[..i];
    }

    static void RefuseCollisions(List<ZipArchiveEntry> entries, string archive, string dest, bool overwrite)
    {
        if (!Directory.Exists(dest)) return;
        var clashes = new List<string>();
        foreach (var e in entries)
        {
            string path = Path.Combine(dest, e.FullName.TrimEnd('/'));
            bool isFolder = e.FullName.EndsWith('/');
            if (isFolder ? File.Exists(path) : Directory.Exists(path))
                throw new IOException($"{archive}: entry '{e.FullName}' would replace '{path}', which is a {(isFolder ? "file" : "folder")}");
            if (!isFolder && File.Exists(path)) clashes.Add(path);
        }
        if (clashes.Count > 0 && !overwrite)
            throw new IOException($"{archive}: {clashes.Count} file(s) already exist under '{dest}' (e.g. '{clashes[0]}'); " +
                                  "nothing was unpacked. Unpack somewhere else, or pass --force to replace them");
    }

    /// <summary>The entry's path under <paramref name="root"/>; the name rules already exclude escapes, this is the last guard.</summary>
    static string Inside(string root, string name, string archive)
    {
        string full = Path.GetFullPath(Path.Combine(root, name));
        if (!full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new InvalidDataException($"{archive}: refusing zip entry '{name}': it resolves outside the destination");
        return full;
    }

    /// <summary>Inflates one entry, stopping at one byte past its declared size (a lying header cannot fill the disk),
    /// then holds the content to the declared size and CRC-32.</summary>
    static long Inflate(ZipArchiveEntry entry, string target, string archive)
    {
        var crc = new Crc32();
        long written = 0;
        var buffer = new byte[1 << 16];
        try
        {
            using var source = entry.Open();
            using var output = new FileStream(target, FileMode.CreateNew, FileAccess.Write);
            int n;
            while ((n = source.Read(buffer, 0, (int)Math.Min(buffer.Length, entry.Length - written + 1))) > 0)
            {
                written += n;
                if (written > entry.Length)
                    throw new InvalidDataException($"{archive}: entry '{entry.FullName}' inflates to more than its declared {entry.Length} bytes (zip bomb?)");
                crc.Append(buffer.AsSpan(0, n));
                output.Write(buffer, 0, n);
            }
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(archive, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{archive}: entry '{entry.FullName}' is corrupt: {e.Message}", e);
        }
        if (written != entry.Length)
            throw new InvalidDataException($"{archive}: entry '{entry.FullName}' holds {written} bytes, but declares {entry.Length} (truncated or corrupt)");
        if (crc.Value != entry.Crc32)
            throw new InvalidDataException($"{archive}: entry '{entry.FullName}' fails its CRC-32 check (archive corrupt)");
        return written;
    }

    /// <summary>A rename when the target is free; else (overwrite was allowed) folders are merged and files replaced.</summary>
    static void MoveInto(string source, string target)
    {
        if (File.Exists(source))
        {
            File.Move(source, target, overwrite: true);
            return;
        }
        if (!Directory.Exists(target))
        {
            Directory.Move(source, target);
            return;
        }
        foreach (string child in Directory.EnumerateFileSystemEntries(source).ToArray())
            MoveInto(child, Path.Combine(target, Path.GetFileName(child)));
    }
}
