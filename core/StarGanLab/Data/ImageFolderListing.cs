using System.IO.Enumeration;

namespace StarGanLab.Data;

/// <summary>Which files of a domain folder are images, in the order labels and indices follow: the one listing rule shared
/// by <see cref="ImageFolderDataset"/>, the resized cache (to tell whether it is stale) and <see cref="DatasetCheck"/>.</summary>
internal static class ImageFolderListing
{
    /// <summary>Image files under <paramref name="domainDir"/> (by extension, case-insensitive), sorted ordinally by full path.</summary>
    public static (string Path, bool IsLink)[] Images(string domainDir, ImageFolderOptions options)
    {
        // Linked folders are not entered (as os.walk's default): a link to a parent would loop, and a link to a sibling
        // would list its images twice. Linked files are listed as any other file, unless another domain has the same file.
        var entries = new FileSystemEnumerable<(string Path, bool IsLink)>(domainDir,
            (ref FileSystemEntry e) => (e.ToFullPath(), (e.Attributes & FileAttributes.ReparsePoint) != 0),
            new EnumerationOptions { RecurseSubdirectories = options.Recursive, AttributesToSkip = 0 })
        {
            ShouldIncludePredicate = (ref FileSystemEntry e) => !e.IsDirectory,
            ShouldRecursePredicate = (ref FileSystemEntry e) => (e.Attributes & FileAttributes.ReparsePoint) == 0,
        };
        return entries
            .Where(f => options.ImageExtensions.Any(e => f.Path.EndsWith(e, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(f => f.Path, StringComparer.Ordinal)
            .ToArray();
    }

    /// <summary>The domain folders of an ImageFolder root, sorted ordinally (label = position).</summary>
    public static string[] DomainFolders(string root) => Directory.GetDirectories(root).Order(StringComparer.Ordinal).ToArray();
}
