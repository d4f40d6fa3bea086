using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Data;

/// <summary>A fixed, labelled set of images (float32 NCHW in [-1, 1], int64 labels). The caller disposes.</summary>
public sealed record LabeledImages(Tensor X, Tensor Y) : IDisposable
{
    public void Dispose() { X.Dispose(); Y.Dispose(); }
}

/// <summary>Deterministic images for sample grids: the same ones at every evaluation and after a resume.</summary>
public static class ValidationImages
{
    /// <summary>
    /// The first <paramref name="perDomain"/> images of every domain (fewer if a domain is smaller), domain-major order,
    /// with the validation transform (resize and normalise, nothing random).
    /// </summary>
    public static LabeledImages FirstPerDomain(IImageSource source, int perDomain, int imgSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perDomain, 1);
        var picks = Enumerable.Range(0, source.DomainNames.Count)
            .SelectMany(d => Enumerable.Range(0, Math.Min(perDomain, source.Count(d))).Select(i => (d, i)))
            .ToArray();
        int per = 3 * imgSize * imgSize;
        var x = new float[picks.Length * per];
        Parallel.For(0, picks.Length, k =>
        {
            using SKBitmap bitmap = source.Load(picks[k].d, picks[k].i);
            float[] chw = Augmentation.ResizeNormalize(bitmap, imgSize);
            chw.CopyTo(x.AsSpan(k * per, per));
        });
        Native.TorchRuntime.EnsureLoaded();
        return new LabeledImages(
            torch.tensor(x, [picks.Length, 3, imgSize, imgSize], ScalarType.Float32),
            torch.tensor(picks.Select(p => (long)p.d).ToArray(), [picks.Length], ScalarType.Int64));
    }
}
