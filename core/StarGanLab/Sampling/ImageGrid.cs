using SkiaSharp;
using static TorchSharp.torch;

namespace StarGanLab.Sampling;

/// <summary>Writes a batch of images as one grid picture (torchvision save_image with padding 0, as the official
/// debug images), row-major with <c>ncol</c> images per row.</summary>
public static class ImageGrid
{
    /// <param name="images">(N, 3, H, W) in [-1, 1].</param>
    public static void Save(Tensor images, int ncol, string path)
    {
        long n = images.size(0), h = images.size(2), w = images.size(3);
        int rows = (int)((n + ncol - 1) / ncol);
        byte[] pixels = ToRgb24(images);

        using var bitmap = new SKBitmap(new SKImageInfo((int)(ncol * w), (int)(rows * h), SKColorType.Rgba8888, SKAlphaType.Opaque));
        var dst = bitmap.GetPixelSpan();
        dst.Fill(0);
        int rowBytes = bitmap.RowBytes;
        for (int k = 0; k < n; k++)
        {
            int gx = (int)(k % ncol * w), gy = (int)(k / ncol * h);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                {
                    int src = (int)(((k * h + y) * w + x) * 3);
                    int o = (gy + y) * rowBytes + (gx + x) * 4;
                    dst[o] = pixels[src];
                    dst[o + 1] = pixels[src + 1];
                    dst[o + 2] = pixels[src + 2];
                    dst[o + 3] = 255;
                }
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new IOException($"{path}: SkiaSharp could not encode the grid as PNG");
        // Write beside and rename: a reader (notebook, report) never sees half a picture.
        IO.AtomicFile.Write(path, fs => data.SaveTo(fs));
    }

    /// <summary>(N, 3, H, W) in [-1, 1] as N*H*W*3 interleaved RGB bytes, rounded as torchvision's save_image
    /// (x*255 + 0.5, clamped): the pixels of grids and of video frames.</summary>
    public static byte[] ToRgb24(Tensor images)
    {
        using var scope = NewDisposeScope();
        using var gcHeldOff = new Native.NoGcRegion();   // TorchSharp's implicit Scalars race the finalizer (see NoGcRegion)
        var hwc = ((images.detach().cpu().to(float32) + 1) / 2 * 255 + 0.5).clamp(0, 255).to(ScalarType.Byte).permute(0, 2, 3, 1).contiguous();
        return hwc.data<byte>().ToArray();
    }
}
