using SkiaSharp;
using StarGanLab.Data;
using Xunit;

namespace StarGanLab.Tests.Data;

public class ImageFolderDatasetTests : IDisposable
{
    readonly string root = TestImages.TempDir();

    public void Dispose() => Directory.Delete(root, true);

    string Domain(string name, int goodImages)
    {
        string dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        for (int i = 0; i < goodImages; i++)
            File.WriteAllBytes(Path.Combine(dir, $"good{i}.png"), TestImages.SolidPng(12, 12, new SKColor(200, 100, (byte)i)));
        return dir;
    }

    [Fact]
    public void MissingRootIsAnErrorNamingThePath()
    {
        string missing = Path.Combine(root, "nope");
        var ex = Assert.Throws<DataException>(() => new ImageFolderDataset(missing));
        Assert.Contains(missing, ex.Message);
        Assert.Contains("does not exist", ex.Message);
    }

    [Fact]
    public void RootWithoutDomainFoldersIsAnError()
    {
        File.WriteAllBytes(Path.Combine(root, "stray.png"), TestImages.SolidPng(4, 4, SKColors.Red));
        var ex = Assert.Throws<DataException>(() => new ImageFolderDataset(root));
        Assert.Contains(root, ex.Message);
        Assert.Contains("no domain sub-folders", ex.Message);
    }

    [Fact]
    public void EmptyDomainIsAnErrorNamingTheFolder()
    {
        Domain("cat", 2);
        string dog = Domain("dog", 0);
        File.WriteAllText(Path.Combine(dog, "notes.txt"), "not an image");
        var ex = Assert.Throws<DataException>(() => new ImageFolderDataset(root));
        Assert.Contains(dog, ex.Message);
        Assert.Contains("no usable images", ex.Message);
    }

    [Fact]
    public void DomainsAndFilesAreSortedOrdinallyWithAnyExtensionCase()
    {
        string b = Domain("b", 0), a = Domain("a", 0), upper = Domain("Z", 1);
        foreach (string f in new[] { "x.PNG", "B.jpg", "a.JPEG", "c.jpeg" })
            File.WriteAllBytes(Path.Combine(b, f), TestImages.SolidPng(4, 4, SKColors.Blue));
        Directory.CreateDirectory(Path.Combine(a, "nested"));
        File.WriteAllBytes(Path.Combine(a, "nested", "deep.png"), TestImages.SolidPng(4, 4, SKColors.Blue));
        File.WriteAllBytes(Path.Combine(a, "top.png"), TestImages.SolidPng(4, 4, SKColors.Blue));
        var ds = new ImageFolderDataset(root);
        Assert.Equal(["Z", "a", "b"], ds.DomainNames);
        Assert.Equal(["B.jpg", "a.JPEG", "c.jpeg", "x.PNG"], ds.Files(2).Select(Path.GetFileName));
        Assert.Equal([Path.Combine(a, "nested", "deep.png"), Path.Combine(a, "top.png")], ds.Files(1));
        Assert.Empty(ds.Warnings);
    }

    [Fact]
    public void UnreadableFilesAreSkippedWithOneWarningListingThem()
    {
        string cat = Domain("cat", 2);
        Domain("dog", 1);
        byte[] good = TestImages.SolidPng(32, 32, SKColors.Green);
        File.WriteAllBytes(Path.Combine(cat, "zero.png"), []);
        File.WriteAllBytes(Path.Combine(cat, "truncated.png"), good[..(good.Length / 2)]);
        File.WriteAllText(Path.Combine(cat, "text.jpg"), "this is not a JPEG");
        File.CreateSymbolicLink(Path.Combine(cat, "dangling.png"), Path.Combine(root, "gone.png"));
        string locked = Path.Combine(cat, "locked.png");
        File.WriteAllBytes(locked, good);
        // root reads a mode-000 file anyway, so only expect it skipped when permissions actually bite.
        bool permissionsBite = false;
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(locked, UnixFileMode.None);
            permissionsBite = !Environment.UserName.Equals("root", StringComparison.Ordinal);
        }

        var warnings = new List<string>();
        var ds = new ImageFolderDataset(root, warn: warnings.Add);

        string warning = Assert.Single(warnings);
        Assert.Equal(ds.Warnings, warnings);
        Assert.StartsWith($"skipped {(permissionsBite ? 5 : 4)} unreadable image file(s) under '{root}'", warning);
        Assert.Contains("zero.png: empty file", warning);
        Assert.Contains("truncated.png: decoding failed (truncated", warning);
        Assert.Contains("text.jpg: not a readable image", warning);
        Assert.Contains("dangling.png: not a regular file: a dangling symbolic link", warning);
        Assert.Equal(permissionsBite, warning.Contains("locked.png: cannot be read"));
        Assert.Equal(permissionsBite ? 2 : 3, ds.Count(0));
        Assert.Equal(1, ds.Count(1));
    }

    [Fact]
    public void DomainWhoseFilesAreAllUnreadableIsAnErrorAfterTheWarning()
    {
        Domain("cat", 1);
        string dog = Domain("dog", 0);
        File.WriteAllBytes(Path.Combine(dog, "zero.png"), []);
        var warnings = new List<string>();
        var ex = Assert.Throws<DataException>(() => new ImageFolderDataset(root, warn: warnings.Add));
        Assert.Contains(dog, ex.Message);
        Assert.Contains("all were skipped", ex.Message);
        Assert.Contains("zero.png", Assert.Single(warnings));
    }

    [Fact]
    public void DecompressionBombIsRefusedByItsHeader()
    {
        string cat = Domain("cat", 1);
        File.WriteAllBytes(Path.Combine(cat, "bomb.png"), TestImages.PngWithForgedSize(100_000, 100_000));
        var ds = new ImageFolderDataset(root);
        SkippedFile bomb = Assert.Single(ds.Skipped);
        Assert.EndsWith("bomb.png", bomb.Path);
        Assert.Contains("header says 100000x100000 = 10000000000 pixels, more than the limit of 67108864", bomb.Reason);

        // The limit is configurable, and Decode refuses too (a file replaced after the scan).
        var warnings = new List<string>();
        var all = Assert.Throws<DataException>(() => new ImageFolderDataset(root, new ImageFolderOptions(MaxPixels: 100), warnings.Add));
        Assert.Contains("all were skipped", all.Message);
        Assert.Contains("good0.png: refused: header says 12x12 = 144 pixels, more than the limit of 100", Assert.Single(warnings));
        var ex = Assert.Throws<DataException>(() => ImageDecoder.Decode(Path.Combine(cat, "good0.png"), 100));
        Assert.Contains("good0.png", ex.Message);
        Assert.Contains("decompression bomb", ex.Message);
    }

    [Fact]
    public void GrayscaleRgbaAnd16BitPngAreConvertedToRgb()
    {
        string cat = Domain("cat", 0);
        using (var gray = new SKBitmap(new SKImageInfo(6, 6, SKColorType.Gray8, SKAlphaType.Opaque)))
        {
            gray.Erase(new SKColor(90, 90, 90));
            File.WriteAllBytes(Path.Combine(cat, "gray.png"), TestImages.Png(gray));
        }
        using (var rgba = new SKBitmap(new SKImageInfo(6, 6, SKColorType.Rgba8888, SKAlphaType.Unpremul)))
        {
            Span<byte> px = rgba.GetPixelSpan();
            for (int i = 0; i < px.Length; i += 4)
                (px[i], px[i + 1], px[i + 2], px[i + 3]) = ((byte)200, (byte)40, (byte)10, (byte)(i % 8 == 0 ? 0 : 128));
            File.WriteAllBytes(Path.Combine(cat, "rgba.png"), TestImages.Png(rgba));
        }
        byte[] png16;
        using (var deep = new SKBitmap(new SKImageInfo(6, 6, SKColorType.Rgba16161616, SKAlphaType.Opaque)))
        {
            deep.Erase(new SKColor(10, 120, 250));
            png16 = TestImages.Png(deep);
        }
        Assert.Equal(16, png16[24]);                              // IHDR bit depth: really a 16-bit PNG
        File.WriteAllBytes(Path.Combine(cat, "deep.png"), png16);
        var ds = new ImageFolderDataset(root);
        Assert.Equal(["deep.png", "gray.png", "rgba.png"], ds.Files(0).Select(Path.GetFileName));

        Assert.Equal((10, 120, 250), CentreRgb(ds, 0));
        Assert.Equal((90, 90, 90), CentreRgb(ds, 1));
        (int r, int g, int b) = CentreRgb(ds, 2);
        Assert.True((r, g, b) == (200, 40, 10), $"alpha should be dropped keeping RGB, got {(r, g, b)}");
    }

    [Fact]
    public void CmykJpegIsConvertedToRgb()
    {
        string cat = Domain("cat", 0);
        // Red ink on paper: C=0 M=255 Y=255 K=0.
        File.WriteAllBytes(Path.Combine(cat, "cmyk.jpg"), TestImages.CmykJpeg(2, 2, c: 0, m: 255, y: 255, k: 0));
        var ds = new ImageFolderDataset(root);
        Assert.Empty(ds.Warnings);
        using SKBitmap bmp = ds.Load(0, 0);
        Assert.Equal((16, 16), (bmp.Width, bmp.Height));
        (int r, int g, int b) = CentreRgb(ds, 0);
        Assert.True(r > 200 && g < 60 && b < 60, $"expected red, got {(r, g, b)}");
    }

    [Fact]
    public void SmallAndLargeImagesAreResizedToImgSize()
    {
        string cat = Domain("cat", 0);
        File.WriteAllBytes(Path.Combine(cat, "small.png"), TestImages.SolidPng(5, 7, SKColors.Orange));
        File.WriteAllBytes(Path.Combine(cat, "wide.jpg"), Jpeg(300, 120, SKColors.Teal));
        var ds = new ImageFolderDataset(root);
        for (int i = 0; i < 2; i++)
        {
            using SKBitmap bmp = ds.Load(0, i);
            float[] chw = Augmentation.ResizeNormalize(bmp, 16);
            Assert.Equal(3 * 16 * 16, chw.Length);
            Assert.All(chw, v => Assert.InRange(v, -1f, 1f));
        }
        using var batches = new BatchSource(ds, new BatchOptions(ImgSize: 16, BatchSize: 3));
        using Batch batch = batches.Next();
        Assert.Equal([3L, 3, 16, 16], batch.XSrc.shape);
    }

    [Fact]
    public void TrainAndValWithDifferentDomainsIsAnErrorNamingBoth()
    {
        string train = Path.Combine(root, "train"), val = Path.Combine(root, "val");
        foreach ((string dir, string name) in new[] { (train, "cat"), (train, "dog"), (val, "cat"), (val, "wild") })
        {
            Directory.CreateDirectory(Path.Combine(dir, name));
            File.WriteAllBytes(Path.Combine(dir, name, "a.png"), TestImages.SolidPng(4, 4, SKColors.Red));
        }
        var ex = Assert.Throws<DataException>(() => ImageFolderDataset.RequireSameDomains(new ImageFolderDataset(train), new ImageFolderDataset(val)));
        Assert.Contains($"train '{train}' has [cat, dog]", ex.Message);
        Assert.Contains($"val '{val}' has [cat, wild]", ex.Message);
        ImageFolderDataset.RequireSameDomains(new ImageFolderDataset(train), new ImageFolderDataset(train));
    }

    static (int, int, int) CentreRgb(ImageFolderDataset ds, int index)
    {
        using SKBitmap bmp = ds.Load(0, index);
        SKColor c = bmp.GetPixel(bmp.Width / 2, bmp.Height / 2);
        return (c.Red, c.Green, c.Blue);
    }

    static byte[] Jpeg(int w, int h, SKColor color)
    {
        using var bmp = new SKBitmap(BitmapPixels.OpaqueRgba(w, h));
        bmp.Erase(color);
        using SKData data = bmp.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }
}
