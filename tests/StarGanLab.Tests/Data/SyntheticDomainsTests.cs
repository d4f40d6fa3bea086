using StarGanLab.Data;
using Xunit;

namespace StarGanLab.Tests.Data;

public class SyntheticDomainsTests
{
    [Fact]
    public void SameSeedAndIndexGiveIdenticalPixels()
    {
        var a = new SyntheticDomains(new SyntheticOptions(ImgSize: 16, PerDomain: 10, Seed: 5));
        var b = new SyntheticDomains(new SyntheticOptions(ImgSize: 16, PerDomain: 10, Seed: 5));
        for (int d = 0; d < 3; d++)
            Assert.Equal(a.Get(d, 7).Image, b.Get(d, 7).Image);
    }

    [Fact]
    public void DifferentSeedSplitOrIndexGiveDifferentImages()
    {
        var a = new SyntheticDomains(new SyntheticOptions(ImgSize: 16, PerDomain: 10, Seed: 5));
        var b = new SyntheticDomains(new SyntheticOptions(ImgSize: 16, PerDomain: 10, Seed: 6));
        Assert.NotEqual(a.Get(0, 3).Image, b.Get(0, 3).Image);
        Assert.NotEqual(a.Get(0, 3).Image, a.Get(0, 4).Image);
        Assert.NotEqual(a.Get(0, 3, Split.Train).Image, a.Get(0, 3, Split.Val).Image);
        Assert.NotEqual(a.Factors(0, 3, Split.Train).X, a.Factors(0, 3, Split.Val).X);
    }

    [Fact]
    public void ImagesAreChwInUnitRangeAtAnySize()
    {
        foreach (int size in new[] { 16, 33, 64 })
        {
            var set = new SyntheticDomains(new SyntheticOptions(Domains: 4, ImgSize: size, PerDomain: 2, ValPerDomain: 1));
            Sample s = set.Get(3, 1);
            Assert.Equal(3 * size * size, s.Image.Length);
            Assert.All(s.Image, v => Assert.InRange(v, -1f, 1f));
        }
        Assert.Equal(["cat", "dog", "wild", "bear"], new SyntheticDomains(new SyntheticOptions(Domains: 4)).DomainNames);
    }

    [Fact]
    public void InvalidOptionsAreReportedTogether()
    {
        var ex = Assert.Throws<ArgumentException>(() => new SyntheticDomains(new SyntheticOptions(Domains: 5, ImgSize: 8)));
        Assert.Contains("Domains=5", ex.Message);
        Assert.Contains("ImgSize=8", ex.Message);
    }

    [Fact]
    public void TextureScale_changes_only_the_textured_fur()
    {
        var baseSet = new SyntheticDomains(new SyntheticOptions(ImgSize: 32, PerDomain: 4));
        var coarse = new SyntheticDomains(new SyntheticOptions(ImgSize: 32, PerDomain: 4, TextureScale: 2));
        for (int texture = 0; texture < SyntheticFactors.TextureKinds; texture++)
        {
            var f = baseSet.Factors(0, 1) with { Texture = texture };
            using var a = baseSet.Render(0, f);
            using var b = coarse.Render(0, f);
            int differing = Enumerable.Range(0, 32 * 32).Count(i => a.GetPixel(i % 32, i / 32) != b.GetPixel(i % 32, i / 32));
            // Plain fur has no texture to scale; stripes and spots are redrawn at twice the period, inside the head only.
            if (texture == 0) Assert.Equal(0, differing);
            else Assert.InRange(differing, 20, 32 * 32 / 2);
        }
        var ex = Assert.Throws<ArgumentException>(() => new SyntheticDomains(new SyntheticOptions(TextureScale: 4)));
        Assert.Contains("TextureScale=4 must be in 0.5..3", ex.Message);
    }

    [Fact]
    public void Phase_jitter_0_draws_a_texture_where_pose_and_density_put_it_whatever_the_drawn_phase()
    {
        var jittered = new SyntheticDomains(new SyntheticOptions(ImgSize: 32, PerDomain: 4));
        var anchored = new SyntheticDomains(new SyntheticOptions(ImgSize: 32, PerDomain: 4, TexturePhaseJitter: 0));
        for (int texture = 1; texture < SyntheticFactors.TextureKinds; texture++)
        {
            var f = jittered.Factors(1, 2) with { Texture = texture, TexturePhase = 0.1f };
            var g = f with { TexturePhase = 0.6f };
            Assert.True(Differing(jittered.Render(1, f), jittered.Render(1, g)) >= 20, "the default set moves the pattern with its phase");
            Assert.Equal(0, Differing(anchored.Render(1, f), anchored.Render(1, g)));
            // Denser stripes are a different picture in the anchored set too: density stays a style factor.
            Assert.True(Differing(anchored.Render(1, f), anchored.Render(1, f with { TextureDensity = 1 - f.TextureDensity })) >= 20);
        }
        var ex = Assert.Throws<ArgumentException>(() => new SyntheticDomains(new SyntheticOptions(TexturePhaseJitter: 1.5)));
        Assert.Contains("TexturePhaseJitter=1.5 must be in 0..1", ex.Message);
    }

    [Fact]
    public void Both_jitters_0_leave_the_kind_alone_to_decide_the_pattern_at_a_pose()
    {
        var jittered = new SyntheticDomains(new SyntheticOptions(ImgSize: 32, PerDomain: 4, TexturePhaseJitter: 0));
        var fixedKind = new SyntheticDomains(new SyntheticOptions(ImgSize: 32, PerDomain: 4, TexturePhaseJitter: 0, TextureDensityJitter: 0));
        for (int texture = 1; texture < SyntheticFactors.TextureKinds; texture++)
        {
            var f = jittered.Factors(2, 3) with { Texture = texture, TexturePhase = 0.2f, TextureDensity = 0.1f };
            var g = f with { TexturePhase = 0.7f, TextureDensity = 0.9f };
            Assert.True(Differing(jittered.Render(2, f), jittered.Render(2, g)) >= 20, "density still changes the anchored pattern");
            Assert.Equal(0, Differing(fixedKind.Render(2, f), fixedKind.Render(2, g)));
            Assert.True(Differing(fixedKind.Render(2, f), fixedKind.Render(2, f with { Texture = 3 - texture })) >= 20, "stripes and spots stay apart");
        }
        var ex = Assert.Throws<ArgumentException>(() => new SyntheticDomains(new SyntheticOptions(TextureDensityJitter: -1)));
        Assert.Contains("TextureDensityJitter=-1 must be in 0..1", ex.Message);
    }

    static int Differing(SkiaSharp.SKBitmap a, SkiaSharp.SKBitmap b)
    {
        using (a) using (b)
            return Enumerable.Range(0, a.Width * a.Height).Count(i => a.GetPixel(i % a.Width, i / a.Width) != b.GetPixel(i % a.Width, i / a.Width));
    }

    [Fact]
    public void DomainsDifferInShapeMoreThanSamplesWithinADomain()
    {
        // Render white-on-black silhouettes with random content: the mean mask of each domain is its average shape.
        const int size = 32, n = 60;
        var set = new SyntheticDomains(new SyntheticOptions(ImgSize: size, PerDomain: 2 * n));
        var means = new double[3, 2][];
        for (int d = 0; d < 3; d++)
            for (int h = 0; h < 2; h++)
            {
                var m = new double[size * size];
                for (int i = h * n; i < (h + 1) * n; i++)
                {
                    SyntheticFactors f = set.Factors(d, i) with { Fill = [1, 1, 1], Background = [0, 0, 0], Texture = 0 };
                    using var bmp = set.Render(d, f);
                    float[] chw = BitmapPixels.ToChw(bmp);
                    for (int p = 0; p < m.Length; p++)
                        m[p] += (chw[p] > -0.9f || chw[m.Length + p] > -0.9f ? 1.0 : 0.0) / n;
                }
                means[d, h] = m;
            }
        static double Dist(double[] a, double[] b) => Math.Sqrt(a.Zip(b, (x, y) => (x - y) * (x - y)).Sum());
        double within = Enumerable.Range(0, 3).Max(d => Dist(means[d, 0], means[d, 1]));
        double between = Enumerable.Range(0, 3).SelectMany(a => Enumerable.Range(0, 3).Where(b => b != a).Select(b => Dist(means[a, 0], means[b, 1]))).Min();
        Assert.True(between > 2 * within, $"between-domain distance {between:F2} should exceed twice the within-domain {within:F2}");
    }

    [Fact]
    public void ContentFactorsAreSharedAcrossDomains()
    {
        var set = new SyntheticDomains(new SyntheticOptions(ImgSize: 16, PerDomain: 4));
        SyntheticFactors cat = set.Factors(0, 1), dog = set.Factors(1, 2);
        SyntheticFactors translated = dog.WithContentOf(cat);
        Assert.Equal((cat.X, cat.Y, cat.Scale, cat.Tilt), (translated.X, translated.Y, translated.Scale, translated.Tilt));
        Assert.Equal(dog.Fill, translated.Fill);
        using var bmp = set.Render(1, translated);
        Assert.Equal(16, bmp.Width);
    }

    [Fact]
    public void ExportWritesImageFolderLayoutAndFactors()
    {
        string dir = Path.Combine(Path.GetTempPath(), "stargan-export-" + Guid.NewGuid().ToString("N"));
        try
        {
            var set = new SyntheticDomains(new SyntheticOptions(ImgSize: 16, PerDomain: 5, ValPerDomain: 3));
            set.Export(dir, 4, Split.Val);              // one more than ValPerDomain: export follows the stream
            foreach (string name in set.DomainNames)
            {
                Assert.Equal(["00000.png", "00001.png", "00002.png", "00003.png"], Directory.GetFiles(Path.Combine(dir, name), "*.png").Select(Path.GetFileName).Order());
                string[] lines = File.ReadAllLines(Path.Combine(dir, name, "factors.jsonl"));
                Assert.Equal(4, lines.Length);
                Assert.Contains("\"file\":\"00001.png\"", lines[1]);
                Assert.Contains("\"split\":\"val\"", lines[1]);
                Assert.Contains("\"tilt\":", lines[1]);
            }
            var folder = new ImageFolderDataset(dir, new ImageFolderOptions());
            Assert.Equal(set.DomainNames, folder.DomainNames);
            using var loaded = folder.Load(2, 1);
            Assert.Equal(set.Get(2, 1, Split.Val).Image, BitmapPixels.ToChw(loaded));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void WritesAContactSheetToLookAt()
    {
        const int size = 32;
        var set = new SyntheticDomains(new SyntheticOptions(Domains: 4, ImgSize: size, PerDomain: 8));
        var rows = new List<IReadOnlyList<float[]>>();
        for (int d = 0; d < 4; d++)
            rows.Add(Enumerable.Range(0, 8).Select(i => set.Get(d, i).Image).ToList());
        // Same content (factors of cat i), each domain's shape: the translation ground truth.
        for (int d = 0; d < 4; d++)
            rows.Add(Enumerable.Range(0, 8).Select(i =>
            {
                using var bmp = set.Render(d, set.Factors(d, i).WithContentOf(set.Factors(0, i)));
                return BitmapPixels.ToChw(bmp);
            }).ToList());
        string path = Path.Combine(Path.GetTempPath(), "stargan-synthetic-sheet.png");
        ContactSheet.Write(path, rows, size, zoom: 3);
        Assert.True(new FileInfo(path).Length > 1000);
    }
}
