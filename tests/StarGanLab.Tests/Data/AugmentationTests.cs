using SkiaSharp;
using StarGanLab.Data;
using Xunit;

namespace StarGanLab.Tests.Data;

public class AugmentationTests
{
    [Fact]
    public void RandomResizedCropStaysWithinAreaAndAspectBounds()
    {
        var o = new AugmentOptions(ImgSize: 32);
        var rng = new DataRng(1);
        for (int t = 0; t < 2000; t++)
        {
            CropBox c = Augmentation.RandomResizedCropBox(120, 90, o, ref rng);
            Assert.InRange(c.Top, 0, 90 - c.Height);
            Assert.InRange(c.Left, 0, 120 - c.Width);
            // Rounding w and h to whole pixels moves area and ratio by up to about one pixel's worth.
            Assert.InRange(c.Width * c.Height / (120.0 * 90), 0.8 - 0.02, 1.0);
            Assert.InRange((double)c.Width / c.Height, 0.9 - 0.015, 1.1 + 0.015);
        }
    }

    [Fact]
    public void RandomResizedCropFallsBackToACentreCropAfterTenFailedAttempts()
    {
        // 100x10: any crop of >= 80% of the area at ratio ~1 is taller than 10 px, so all ten attempts fail and
        // torchvision clamps to the widest ratio: h = 10, w = round(10 * 1.1) = 11, centred.
        var rng = new DataRng(3);
        Assert.Equal(new CropBox(0, 44, 10, 11), Augmentation.RandomResizedCropBox(100, 10, new AugmentOptions(16), ref rng));
        Assert.Equal(new CropBox(44, 0, 11, 10), Augmentation.RandomResizedCropBox(10, 100, new AugmentOptions(16), ref rng));
    }

    [Fact]
    public void CropAndFlipEachHappenAboutHalfTheTime()
    {
        var o = new AugmentOptions(ImgSize: 32);
        var rng = new DataRng(11);
        int crops = 0, flips = 0;
        const int n = 4000;
        for (int t = 0; t < n; t++)
        {
            AugmentParams p = Augmentation.Draw(64, 64, o, ref rng);
            if (p.Crop != new CropBox(0, 0, 64, 64)) crops++;
            if (p.Flip) flips++;
        }
        // Binomial(4000, 0.5) has sd 32: +-150 is more than four sd (a full-size crop can also be drawn, rarely).
        Assert.InRange(crops, n / 2 - 150, n / 2 + 150);
        Assert.InRange(flips, n / 2 - 150, n / 2 + 150);
    }

    [Fact]
    public void ValidationTransformIsDeterministicResizeOnly()
    {
        var rng = new DataRng(5);
        for (int t = 0; t < 50; t++)
            Assert.Equal(new AugmentParams(new CropBox(0, 0, 30, 40), false), Augmentation.Draw(40, 30, AugmentOptions.Validation(16), ref rng));
    }

    [Fact]
    public void ApplyResizesFlipsAndNormalises()
    {
        // Left half red, right half blue.
        using var bmp = new SKBitmap(BitmapPixels.OpaqueRgba(40, 20));
        using (var canvas = new SKCanvas(bmp))
        {
            canvas.Clear(SKColors.Blue);
            using var red = new SKPaint { Color = SKColors.Red };
            canvas.DrawRect(SKRect.Create(0, 0, 20, 20), red);
        }
        var whole = new CropBox(0, 0, 20, 40);
        float[] plain = Augmentation.Apply(bmp, new AugmentParams(whole, false), 16);
        float[] flipped = Augmentation.Apply(bmp, new AugmentParams(whole, true), 16);
        Assert.Equal(3 * 16 * 16, plain.Length);
        Assert.All(plain, v => Assert.InRange(v, -1f, 1f));
        const int plane = 256;
        Assert.Equal(1f, plain[8 * 16 + 1], 2);                    // red channel, left column: red
        Assert.Equal(-1f, plain[2 * plane + 8 * 16 + 1], 2);
        Assert.Equal(-1f, flipped[8 * 16 + 1], 2);                 // flipped: left column is blue
        Assert.Equal(1f, flipped[2 * plane + 8 * 16 + 1], 2);

        // A crop of the red half only, scaled up to the full output.
        float[] cropped = Augmentation.Apply(bmp, new AugmentParams(new CropBox(0, 0, 20, 18), false), 16);
        Assert.All(cropped.AsSpan(0, plane).ToArray(), v => Assert.Equal(1f, v, 2));
    }
}
