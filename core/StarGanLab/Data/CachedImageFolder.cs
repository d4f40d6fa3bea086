using SkiaSharp;

namespace StarGanLab.Data;

/// <summary>An ImageFolder root read through its resized cache (<see cref="ResizedCache"/>): the same domains, the same
/// files in the same order (unreadable originals left out, as <see cref="ImageFolderDataset"/> leaves them out), each
/// already at <see cref="Size"/>.</summary>
public sealed class CachedImageFolder : IResizedImageSource
{
    readonly string[][] files;
    readonly SKSizeI[][] originalSizes;
    readonly long maxPixels;

    /// <summary>The originals' root.</summary>
    public string Root { get; }
    public string CacheFolder { get; }
    public int Size { get; }
    public IReadOnlyList<string> DomainNames { get; }

    internal CachedImageFolder(string root, string cacheFolder, int size, string[] domainNames, string[][] files, SKSizeI[][] originalSizes, long maxPixels)
    {
        (Root, CacheFolder, Size, DomainNames, this.files, this.originalSizes, this.maxPixels) = (root, cacheFolder, size, domainNames, files, originalSizes, maxPixels);
        for (int d = 0; d < files.Length; d++)
            if (files[d].Length == 0)
                throw new DataException($"domain '{domainNames[d]}' has no usable images in the resized cache '{cacheFolder}' (all originals were unreadable)");
    }

    public int Count(int domain) => files[domain].Length;

    /// <summary>The cached copies of one domain, in label order.</summary>
    public IReadOnlyList<string> Files(int domain) => files[domain];

    public int TotalImages => files.Sum(f => f.Length);

    public SKSizeI OriginalSize(int domain, int index) => originalSizes[domain][index];

    public SKBitmap Load(int domain, int index)
    {
        try
        {
            return ImageDecoder.Decode(files[domain][index], maxPixels);
        }
        catch (DataException e)
        {
            throw new DataException($"{e.Message}: the resized cache '{CacheFolder}' is damaged; delete it (training then reads " +
                                    "the originals) or write it again with `stargan data cache`", e);
        }
    }
}
