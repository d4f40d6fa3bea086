using SkiaSharp;
using StarGanLab.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Metrics;

/// <summary>Images of one domain as the evaluation reads them: resized to the model's size and normalised to
/// [-1, 1] with the validation transform, in source order (the official loaders shuffle; FID and LPIPS do not
/// depend on the order, only the pairing of reference styles does).</summary>
public static class EvalImages
{
    public static Tensor Load(IImageSource source, int domain, int start, int count, int imgSize)
    {
        int per = 3 * imgSize * imgSize;
        var x = new float[count * per];
        Parallel.For(0, count, k =>
        {
            using SKBitmap bitmap = source.Load(domain, start + k);
            Augmentation.ResizeNormalize(bitmap, imgSize).CopyTo(x.AsSpan(k * per, per));
        });
        return tensor(x, [count, 3, imgSize, imgSize]);
    }

    public static Tensor LoadAll(IImageSource source, int domain, int imgSize) => Load(source, domain, 0, source.Count(domain), imgSize);
}
