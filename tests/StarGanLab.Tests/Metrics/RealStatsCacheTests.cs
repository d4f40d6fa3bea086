using StarGanLab.Data;
using StarGanLab.Metrics;
using Xunit;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Metrics;

public class RealStatsCacheTests : TorchTest
{
    /// <summary>Per-channel mean and std of the image: cheap features that still depend on every pixel.</summary>
    sealed class ColourBackbone(string identity) : IFeatureBackbone
    {
        public int Calls { get; private set; }
        public string Name => "colour";
        public string Identity => identity;
        public Tensor Features(Tensor images)
        {
            Calls++;
            return cat([images.mean([2, 3]), images.std([2, 3])], 1);
        }
        public void Dispose() { }
    }

    static ImageFolderDataset Folder(string root)
    {
        new SyntheticDomains(new SyntheticOptions(Domains: 2, PerDomain: 4, ImgSize: 16, Seed: 9)).Export(root, 4);
        return new ImageFolderDataset(root);
    }

    [Fact]
    public void Statistics_are_computed_once_and_then_read_back_equal()
    {
        var dir = Directory.CreateTempSubdirectory("stats").FullName;
        var data = Folder(Path.Combine(dir, "data"));
        var cache = new RealStatsCache(Path.Combine(dir, "cache"));
        var backbone = new ColourBackbone("c1");
        using var first = cache.Get(data, 0, 16, backbone, 3, _ => { });
        int calls = backbone.Calls;
        Assert.Equal(2, calls);   // 4 images in batches of 3
        using var second = cache.Get(data, 0, 16, backbone, 3, _ => { });
        Assert.Equal(calls, backbone.Calls);
        Assert.True(first.Mean.allclose(second.Mean, rtol: 0, atol: 0) && first.Cov.allclose(second.Cov, rtol: 0, atol: 0));
        Assert.Equal(4, second.Count);
    }

    [Fact]
    public void The_key_changes_with_the_files_the_image_size_and_the_backbone()
    {
        var dir = Directory.CreateTempSubdirectory("stats").FullName;
        var data = Folder(Path.Combine(dir, "data"));
        var b = new ColourBackbone("c1");
        string key = RealStatsCache.Key(data, 0, 16, b);
        Assert.Equal(key, RealStatsCache.Key(data, 0, 16, new ColourBackbone("c1")));
        Assert.NotEqual(key, RealStatsCache.Key(data, 1, 16, b));
        Assert.NotEqual(key, RealStatsCache.Key(data, 0, 32, b));
        Assert.NotEqual(key, RealStatsCache.Key(data, 0, 16, new ColourBackbone("c2")));
        string file = data.Files(0)[0];
        File.SetLastWriteTimeUtc(file, File.GetLastWriteTimeUtc(file).AddMinutes(1));
        Assert.NotEqual(key, RealStatsCache.Key(new ImageFolderDataset(data.Root), 0, 16, b));
    }

    [Fact]
    public void A_corrupt_cache_file_is_recomputed_with_a_log_line()
    {
        var dir = Directory.CreateTempSubdirectory("stats").FullName;
        var data = Folder(Path.Combine(dir, "data"));
        var cache = new RealStatsCache(Path.Combine(dir, "cache"));
        var b = new ColourBackbone("c1");
        using (cache.Get(data, 0, 16, b, 8, _ => { })) { }
        var file = Directory.GetFiles(cache.Directory).Single();
        File.WriteAllBytes(file, File.ReadAllBytes(file)[..40]);
        var log = new List<string>();
        using var s = cache.Get(data, 0, 16, b, 8, log.Add);
        Assert.Contains(log, l => l.Contains("unreadable cached statistics"));
        Assert.Equal(6, s.Mean.size(0));
    }
}
