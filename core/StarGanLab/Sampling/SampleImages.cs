using SkiaSharp;
using StarGanLab.Data;
using static TorchSharp.torch;

namespace StarGanLab.Sampling;

/// <summary>Images for sampling and translation, with the official test transform (resize to img_size, [-1, 1]).</summary>
public static class SampleImages
{
    /// <summary>The official sample batch size (val_batch_size) that <see cref="DefaultPerDomain"/> shares out.</summary>
    public const int DefaultTotal = 32;

    /// <summary>Per domain, as many as keep all domains within <see cref="DefaultTotal"/> images.</summary>
    public static int DefaultPerDomain(int domains) => Math.Max(1, DefaultTotal / domains);

    /// <summary>A folder with one sub-folder per domain (as data.root): the first <paramref name="perDomain"/> images of
    /// each, sorted by domain label then file name, labelled with the model's domain labels.</summary>
    public static LabeledImages LoadFolder(string root, RunDomains domains, int imgSize, int perDomain, long maxPixels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perDomain, 1);
        var folder = new ImageFolderDataset(root, new ImageFolderOptions(MaxPixels: maxPixels));
        int[] labels = domains.LabelsOfFolders(folder.Root, folder.DomainNames);
        using var loaded = ValidationImages.FirstPerDomain(folder, perDomain, imgSize);
        long[] y = loaded.Y.data<long>().ToArray().Select(folderLabel => (long)labels[folderLabel]).ToArray();
        // The model's domain order (stable), so references of one domain stay consecutive: the videos interpolate between them.
        long[] order = Enumerable.Range(0, y.Length).OrderBy(i => y[i]).Select(i => (long)i).ToArray();
        return new LabeledImages(loaded.X.index_select(0, tensor(order)), tensor(order.Select(i => y[i]).ToArray()));
    }

    /// <summary>One image file as (1, 3, img_size, img_size); a missing or unreadable file names its path.</summary>
    public static Tensor LoadFile(string path, int imgSize, long maxPixels, string role)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"{role} image '{Path.GetFullPath(path)}' does not exist", path);
        using SKBitmap bitmap = ImageDecoder.Decode(path, maxPixels);
        return tensor(Augmentation.ResizeNormalize(bitmap, imgSize)).view(1, 3, imgSize, imgSize);
    }
}
