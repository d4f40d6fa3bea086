using System.IO.Compression;

namespace StarGanLab.IO;

/// <summary>The rules every reader or extractor of a stranger's zip applies before it inflates anything: entry names are
/// relative paths without '..', entries are plain files or folders (no links, devices or pipes), no name occurs twice,
/// and the entries together declare no more than a limit and no more than <see cref="DeclaredSizes.MaxExpansion"/> times
/// the archive's own size (zip bombs). Each rule returns why an archive breaks it (without the file's name, which the
/// caller puts in front in its own exception type), or null.</summary>
public static class ZipRules
{
    /// <summary>Absolute names, drive letters, backslashes, NUL and '.' or '..' segments.</summary>
    public static string? NameProblem(string name) =>
        name.Length == 0 || name.StartsWith('/') || name.Contains('\\') || name.Contains(':') || name.Contains('\0') ||
        name.Split('/').Any(seg => seg is ".." or ".")
            ? $"refusing zip entry '{name}': entry names must be relative paths without '..'"
            : null;

    /// <summary>Zip tools on Unix store the file mode in the upper half of the external attributes; anything but a
    /// regular file or a folder (a symbolic link above all, which could point outside the destination) is refused.</summary>
    public static string? KindProblem(ZipArchiveEntry entry)
    {
        int type = (entry.ExternalAttributes >> 16) & 0xF000;
        return type switch
        {
            0 or 0x8000 or 0x4000 => null,   // no Unix mode (DOS-made archive), regular file, folder
            0xA000 => $"refusing zip entry '{entry.FullName}': it is a symbolic link",
            _ => $"refusing zip entry '{entry.FullName}': it is not a regular file or folder (Unix mode {type:X4})",
        };
    }

    /// <summary>Two entries of one name would let the central directory and a reader (or the extracted tree) disagree.</summary>
    public static string? DuplicateProblem(IEnumerable<ZipArchiveEntry> entries) =>
        entries.GroupBy(e => e.FullName.TrimEnd('/'), StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } dup
            ? $"zip entry '{dup.Key}' occurs more than once"
            : null;

    /// <summary>Too many entries, or more uncompressed bytes declared in all than <paramref name="maxTotalBytes"/> or than the
    /// archive's size allows: refused before any entry is inflated.</summary>
    public static string? BoundsProblem(ZipArchive zip, long fileLength, int maxEntries, long maxTotalBytes)
    {
        if (zip.Entries.Count > maxEntries)
            return $"the archive has {zip.Entries.Count} entries, more than the limit of {maxEntries} (zip bomb?)";
        long limit = DeclaredSizes.InflationLimit(fileLength, maxTotalBytes);
        long total = 0;
        foreach (var e in zip.Entries)
        {
            total += e.Length;
            if (e.Length < 0 || total > limit)
                return $"the archive's entries declare more than {limit} uncompressed bytes in all, implausible for a {fileLength}-byte file (zip bomb?)";
        }
        return null;
    }
}
