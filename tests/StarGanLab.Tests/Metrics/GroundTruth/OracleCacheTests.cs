using StarGanLab.Data;
using StarGanLab.Metrics.GroundTruth;
using Xunit;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Metrics.GroundTruth;

public class OracleCacheTests : TorchTest
{
    // Quality does not matter here, only what is stored and reloaded: a few steps are enough.
    static readonly OracleOptions Quick = new(Steps: 5, BatchSize: 8, Width: 4, HeldOutPerDomain: 4);
    static readonly SyntheticDomains Set = new(new SyntheticOptions(Domains: 2, PerDomain: 4, ImgSize: 16, ValPerDomain: 8));

    [Fact]
    public void A_cache_hit_reloads_an_identical_oracle_without_training()
    {
        string dir = Directory.CreateTempSubdirectory("oracle-cache").FullName;
        using var first = SyntheticOracle.LoadOrTrain(Set, Quick, dir);
        var log = new List<string>();
        using var second = SyntheticOracle.LoadOrTrain(Set, Quick, dir, log.Add);

        Assert.Single(log, l => l.StartsWith("oracle: loaded"));
        Assert.DoesNotContain(log, l => l.StartsWith("oracle: step"));
        Assert.Equal(first.Quality.DomainAcc, second.Quality.DomainAcc);
        Assert.Equal(first.Quality.ContentErrPerFactor, second.Quality.ContentErrPerFactor);
        foreach (var (key, t) in first.Net.state_dict())
            Assert.True(Same(t, second.Net.state_dict()[key]), $"{key} differs after reload");
        using var x = rand([4, 3, 16, 16]) * 2 - 1;
        using var a = first.Predict(x);
        using var b = second.Predict(x);
        Assert.True(Same(a.Content, b.Content) && Same(a.Style, b.Style) && Same(a.Domain, b.Domain));
    }

    [Fact]
    public void A_set_with_coarser_or_anchored_textures_needs_its_own_oracle_while_the_default_keeps_its_cached_one()
    {
        var coarse = new SyntheticDomains(Set.Options with { TextureScale = 2 });
        var explicitDefault = new SyntheticDomains(Set.Options with { TextureScale = 1 });
        Assert.NotEqual(SyntheticOracle.CacheFile("c", Set, Quick), SyntheticOracle.CacheFile("c", coarse, Quick));
        Assert.Equal(SyntheticOracle.CacheFile("c", Set, Quick), SyntheticOracle.CacheFile("c", explicitDefault, Quick));
        Assert.DoesNotContain("texture_scale", SyntheticOracle.KeyFor(Set, Quick));

        var anchored = new SyntheticDomains(Set.Options with { TexturePhaseJitter = 0 });
        Assert.NotEqual(SyntheticOracle.CacheFile("c", Set, Quick), SyntheticOracle.CacheFile("c", anchored, Quick));
        var explicitJitter = new SyntheticDomains(Set.Options with { TexturePhaseJitter = 1 });
        Assert.Equal(SyntheticOracle.CacheFile("c", Set, Quick), SyntheticOracle.CacheFile("c", explicitJitter, Quick));
        Assert.DoesNotContain("texture_phase_jitter", SyntheticOracle.KeyFor(Set, Quick));
        var fixedDensity = new SyntheticDomains(Set.Options with { TexturePhaseJitter = 0, TextureDensityJitter = 0 });
        Assert.NotEqual(SyntheticOracle.CacheFile("c", anchored, Quick), SyntheticOracle.CacheFile("c", fixedDensity, Quick));
    }

    static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void A_corrupt_or_foreign_cache_file_is_replaced_not_trusted()
    {
        string dir = Directory.CreateTempSubdirectory("oracle-cache").FullName;
        string file = SyntheticOracle.CacheFile(dir, Set, Quick);
        File.WriteAllText(file, "not an oracle");
        var log = new List<string>();
        using (var rebuilt = SyntheticOracle.LoadOrTrain(Set, Quick, dir, log.Add))
            Assert.Contains(log, l => l.Contains("ignoring the cached oracle") && l.Contains(file));
        using (var reloaded = SyntheticOracle.Load(file, Set, Quick)) { }   // the replacement is a valid oracle

        // An oracle trained with other options, copied under this key's name, is refused by its stored key.
        var other = Quick with { Seed = 2 };
        using (var o = SyntheticOracle.LoadOrTrain(Set, other, dir)) { }
        File.Copy(SyntheticOracle.CacheFile(dir, Set, other), file, overwrite: true);
        log.Clear();
        using (var again = SyntheticOracle.LoadOrTrain(Set, Quick, dir, log.Add))
            Assert.Contains(log, l => l.Contains("ignoring the cached oracle") && l.Contains("\"seed\":2"));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories));
    }
}
