using System.Globalization;
using SkiaSharp;
using StarGanLab.IO;

namespace StarGanLab.Data;

/// <summary>
/// Resized copies of an ImageFolder root, so training at <c>img_size</c> decodes small PNGs instead of 512 or 1024 pixel
/// originals. Layout, beside the root (for <c>data/afhq/train</c>):
/// <code>
/// data/afhq/.stargan-cache/&lt;size&gt;/train/manifest.json
/// data/afhq/.stargan-cache/&lt;size&gt;/train/&lt;domain&gt;/&lt;path of the original&gt;.png
/// </code>
/// The copies are made by <see cref="Augmentation.Resize"/>, the loader's own resize, and stored losslessly, so an image
/// read from the cache equals the original resized on the fly. <see cref="TryOpen"/> uses a cache only when its manifest
/// lists exactly the files the root has now, with the same sizes and modification times.
/// </summary>
public static class ResizedCache
{
    public const string FolderName = ".stargan-cache";

    /// <summary>Where the cache of <paramref name="root"/> at <paramref name="size"/> lives.</summary>
    public static string Folder(string root, int size)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        string parent = Path.GetDirectoryName(full) ?? throw new DataException($"'{full}' has no parent folder to keep a resized cache in");
        return Path.Combine(parent, FolderName, size.ToString(CultureInfo.InvariantCulture), Path.GetFileName(full));
    }

    /// <summary>Writes (or replaces) the cache of <paramref name="root"/>: into a temporary folder, renamed into place when
    /// complete, so an interrupted write leaves no cache rather than half of one.</summary>
    /// <param name="progress">Called with (images written, images in all), from worker threads.</param>
    public static string Write(string root, int size, ImageFolderOptions? options = null, Action<int, int>? progress = null, int threads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        options ??= new();
        var source = new ImageFolderDataset(root, options);   // the loader's own scan: same domains, files and skips
        string folder = Folder(root, size);
        string temp = $"{folder}.tmp-{Guid.NewGuid():N}";
        var jobs = new List<(string Original, string Cached, CacheEntry[] Entries, int Index)>();
        var entries = new CacheEntry[source.DomainNames.Count][];
        for (int d = 0; d < source.DomainNames.Count; d++)
        {
            string domainDir = Path.Combine(source.Root, source.DomainNames[d]);
            var kept = source.Files(d).ToHashSet(StringComparer.Ordinal);
            var listed = ImageFolderListing.Images(domainDir, options);
            entries[d] = new CacheEntry[listed.Length];
            for (int k = 0; k < listed.Length; k++)
            {
                string path = listed[k].Path, rel = Path.GetRelativePath(domainDir, path).Replace(Path.DirectorySeparatorChar, '/');
                var info = new FileInfo(path);
                string? cached = kept.Contains(path) ? $"{source.DomainNames[d]}/{rel}.png" : null;
                entries[d][k] = new CacheEntry(rel, info.Length, info.LastWriteTimeUtc.Ticks, cached);
                if (cached is not null) jobs.Add((path, Path.Combine(temp, cached), entries[d], k));
            }
        }
        try
        {
            int done = 0;
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount };
            Parallel.ForEach(jobs, parallel, job =>
            {
                using (SKBitmap original = ImageDecoder.Decode(job.Original, options.MaxPixels))
                using (SKBitmap resized = Augmentation.Resize(original, size))
                using (SKData png = resized.Encode(SKEncodedImageFormat.Png, 100))
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(job.Cached)!);
                    using var fs = new FileStream(job.Cached, FileMode.CreateNew, FileAccess.Write);
                    png.SaveTo(fs);
                    job.Entries[job.Index] = job.Entries[job.Index] with { Width = original.Width, Height = original.Height };
                }
                progress?.Invoke(Interlocked.Increment(ref done), jobs.Count);
            });
            AtomicFile.WriteAllText(Path.Combine(temp, "manifest.json"),
                new CacheManifest(CacheManifest.CurrentVersion, size, CacheManifest.ResizeMethod,
                                  entries.Select((e, d) => new CacheDomain(source.DomainNames[d], e)).ToList()).ToJson());
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
            Directory.Move(temp, folder);
            return folder;
        }
        catch
        {
            try { if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true); } catch (IOException) { /* the original error matters more */ }
            throw;
        }
    }

    /// <summary>The cache of <paramref name="root"/> at <paramref name="size"/> when it matches the root's files now; else
    /// null, with <paramref name="why"/> saying why when a cache exists (null when there is none at all).</summary>
    public static CachedImageFolder? TryOpen(string root, int size, ImageFolderOptions? options, out string? why)
    {
        options ??= new();
        string folder = Folder(root, size), manifestPath = Path.Combine(folder, "manifest.json");
        if (!File.Exists(manifestPath))
        {
            string all = Path.GetDirectoryName(Path.GetDirectoryName(folder)!)!;
            var sizes = Directory.Exists(all) ? Directory.GetDirectories(all).Where(d => File.Exists(Path.Combine(d, Path.GetFileName(folder), "manifest.json")))
                                                       .Select(d => Path.GetFileName(d)).Order().ToArray() : [];
            why = sizes.Length == 0 ? null : $"the resized cache in '{all}' has size(s) {string.Join(", ", sizes)}, not {size}";
            return null;
        }
        if (CacheManifest.TryRead(manifestPath, out why) is not { } manifest) return null;
        why = Stale(root, size, manifest, options, folder);
        if (why is not null) return null;
        var kept = manifest.Domains.Select(d => d.Files.Where(f => f.Cache is not null).ToArray()).ToArray();
        return new CachedImageFolder(Path.GetFullPath(root), folder, size, manifest.Domains.Select(d => d.Name).ToArray(),
            kept.Select(d => d.Select(f => Path.Combine(folder, f.Cache!.Replace('/', Path.DirectorySeparatorChar))).ToArray()).ToArray(),
            kept.Select(d => d.Select(f => new SKSizeI(f.Width, f.Height)).ToArray()).ToArray(), options.MaxPixels);
    }

    /// <summary>Why the cache does not stand for the root's files now, or null.</summary>
    static string? Stale(string root, int size, CacheManifest manifest, ImageFolderOptions options, string folder)
    {
        string Prefix() => $"the {size}px resized cache '{folder}' is stale";
        if (manifest.Size != size) return $"{Prefix()}: its manifest says size {manifest.Size}";
        if (!Directory.Exists(root)) return null;   // the loader reports the missing root itself
        string[] domainDirs = ImageFolderListing.DomainFolders(root);
        var names = domainDirs.Select(d => Path.GetFileName(d)).ToArray();
        if (!names.SequenceEqual(manifest.Domains.Select(d => d.Name), StringComparer.Ordinal))
            return $"{Prefix()}: it has domains [{string.Join(", ", manifest.Domains.Select(d => d.Name))}], the data [{string.Join(", ", names)}]";
        for (int d = 0; d < domainDirs.Length; d++)
        {
            var listed = ImageFolderListing.Images(domainDirs[d], options);
            var recorded = manifest.Domains[d].Files;
            for (int i = 0; i < Math.Max(listed.Length, recorded.Count); i++)
            {
                if (i >= listed.Length) return $"{Prefix()}: '{names[d]}/{recorded[i].Source}' is gone";
                string rel = Path.GetRelativePath(domainDirs[d], listed[i].Path).Replace(Path.DirectorySeparatorChar, '/');
                if (i >= recorded.Count || recorded[i].Source != rel)
                    return $"{Prefix()}: '{names[d]}/{rel}' is new";
                var info = new FileInfo(listed[i].Path);
                if (info.Length != recorded[i].Bytes || info.LastWriteTimeUtc.Ticks != recorded[i].MtimeTicks)
                    return $"{Prefix()}: '{names[d]}/{rel}' changed since the cache was written";
                if (recorded[i].Cache is { } cached && !File.Exists(Path.Combine(folder, cached)))
                    return $"{Prefix()}: its copy '{cached}' is missing";
                if (recorded[i].Cache is not null && (recorded[i].Width < 1 || recorded[i].Height < 1))
                    return $"{Prefix()}: its manifest lacks the size of '{names[d]}/{rel}'";
            }
        }
        return null;
    }
}
