using SkiaSharp;

namespace StarGanLab.Data;

/// <summary>A file the scan left out, and why.</summary>
public sealed record SkippedFile(string Path, string Reason);

/// <summary>
/// The official ImageFolder layout: <c>root/&lt;domain&gt;/**/*.png|jpg|jpeg</c>, domains sorted ordinally (label =
/// position), files sorted ordinally within a domain. Unusable files are skipped and reported in one warning;
/// a missing root, no domain folders or a domain left empty are errors.
/// </summary>
public sealed class ImageFolderDataset : IImageSource
{
    readonly string[][] files;
    readonly Action<string>? warn;
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> lost = new(StringComparer.Ordinal);

    public string Root { get; }
    public ImageFolderOptions Options { get; }
    public IReadOnlyList<string> DomainNames { get; }
    public IReadOnlyList<SkippedFile> Skipped { get; }

    /// <summary>At most one entry: the warning that listed every skipped file.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <param name="warn">Receives the one warning about skipped files, if any (e.g. the run's logger).</param>
    public ImageFolderDataset(string root, ImageFolderOptions? options = null, Action<string>? warn = null)
    {
        Options = options ?? new ImageFolderOptions();
        this.warn = warn;
        Root = Path.GetFullPath(root);
        if (!Directory.Exists(Root))
            throw new DataException($"data root '{Root}' does not exist (expected one sub-folder per domain)");
        string[] domainDirs = Directory.GetDirectories(Root).Order(StringComparer.Ordinal).ToArray();
        if (domainDirs.Length == 0)
            throw new DataException($"data root '{Root}' has no domain sub-folders (expected {Root}/<domain>/<image files>)");
        DomainNames = domainDirs.Select(d => Path.GetFileName(d)).ToArray();
        var layout = new DomainLayout(Root, domainDirs, Options.Recursive);

        var skipped = new List<SkippedFile>();
        files = new string[domainDirs.Length][];
        for (int d = 0; d < domainDirs.Length; d++)
        {
            string[] candidates = ListImages(domainDirs[d], layout, d);
            string?[] reasons = new string?[candidates.Length];
            Parallel.For(0, candidates.Length, i => reasons[i] = ImageDecoder.Probe(candidates[i], Options.MaxPixels, Options.VerifyOnOpen));
            files[d] = candidates.Where((_, i) => reasons[i] is null).ToArray();
            skipped.AddRange(candidates.Select((f, i) => (f, i)).Where(t => reasons[t.i] is not null).Select(t => new SkippedFile(t.f, reasons[t.i]!)));
        }
        Skipped = skipped;
        Warnings = skipped.Count == 0 ? [] : [$"skipped {skipped.Count} unreadable image file(s) under '{Root}':" +
            string.Concat(skipped.Select(s => $"{Environment.NewLine}  {s.Path}: {s.Reason}"))];
        foreach (string w in Warnings) warn?.Invoke(w);

        for (int d = 0; d < domainDirs.Length; d++)
            if (files[d].Length == 0)
                throw new DataException($"domain folder '{domainDirs[d]}' has no usable images" +
                    (Skipped.Any(s => s.Path.StartsWith(domainDirs[d] + Path.DirectorySeparatorChar, StringComparison.Ordinal)) ? " (all were skipped as unreadable, see the warning)" : $" (looked for {string.Join(", ", Options.ImageExtensions)})"));
    }

    public int Count(int domain) => files[domain].Length;

    /// <summary>The files of one domain in label order, e.g. for evaluation.</summary>
    public IReadOnlyList<string> Files(int domain) => files[domain];

    /// <summary>Files that could not be read during training (deleted or changed after the scan), and why.</summary>
    public IReadOnlyDictionary<string, string> Lost => lost;

    /// <summary>The image at (domain, index). A file that vanished or broke after the scan is replaced by the next readable
    /// file of its domain (the same one every time, so runs stay reproducible), with one warning per file; only a domain
    /// with no readable file left is an error.</summary>
    public SKBitmap Load(int domain, int index)
    {
        string[] list = files[domain];
        for (int k = 0; k < list.Length; k++)
        {
            string path = list[(index + k) % list.Length];
            if (lost.ContainsKey(path)) continue;
            try
            {
                return ImageDecoder.Decode(path, Options.MaxPixels);
            }
            catch (DataException e)
            {
                if (lost.TryAdd(path, e.Message))
                    warn?.Invoke($"{e.Message}; the file changed or disappeared after the scan, so it is skipped from now on and training goes on");
            }
        }
        throw new DataException($"domain '{DomainNames[domain]}' under '{Root}' has no readable image left: all {list.Length} file(s) disappeared or broke during training");
    }

    /// <summary>Train and val must share the domain list, or labels would mean different things; the error names both.</summary>
    public static void RequireSameDomains(ImageFolderDataset train, ImageFolderDataset val)
    {
        if (train.DomainNames.SequenceEqual(val.DomainNames, StringComparer.Ordinal)) return;
        throw new DataException(
            $"train and val have different domain sets: train '{train.Root}' has [{string.Join(", ", train.DomainNames)}], " +
            $"val '{val.Root}' has [{string.Join(", ", val.DomainNames)}]");
    }

    string[] ListImages(string domainDir, DomainLayout layout, int domain)
    {
        var images = ImageFolderListing.Images(domainDir, Options);
        foreach (var (path, isLink) in images) layout.Claim(domain, path, isLink);
        return images.Select(f => f.Path).ToArray();
    }
}
