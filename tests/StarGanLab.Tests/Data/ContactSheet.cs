using SkiaSharp;
using StarGanLab.Data;

namespace StarGanLab.Tests.Data;

/// <summary>Tiles CHW images into one PNG so a person can look at what the data layer produces.</summary>
static class ContactSheet
{
    public static void Write(string path, IReadOnlyList<IReadOnlyList<float[]>> rows, int imgSize, int zoom = 2)
    {
        int cols = rows.Max(r => r.Count), cell = imgSize * zoom + 2;
        using var sheet = new SKBitmap(BitmapPixels.OpaqueRgba(cols * cell, rows.Count * cell));
        using (var canvas = new SKCanvas(sheet))
        {
            canvas.Clear(SKColors.Gray);
            for (int r = 0; r < rows.Count; r++)
                for (int c = 0; c < rows[r].Count; c++)
                {
                    using SKBitmap img = BitmapPixels.FromChw(rows[r][c], imgSize, imgSize);
                    using SKImage image = SKImage.FromBitmap(img);
                    canvas.DrawImage(image, SKRect.Create(c * cell + 1, r * cell + 1, imgSize * zoom, imgSize * zoom), new SKSamplingOptions(SKFilterMode.Nearest));
                }
        }
        using SKData png = sheet.Encode(SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, png.ToArray());
    }
}
