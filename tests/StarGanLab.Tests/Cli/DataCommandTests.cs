using StarGanLab.Data;
using StarGanLab.Tests.Data;
using Xunit;
using static StarGanLab.Tests.Data.DatasetFixtures;

namespace StarGanLab.Tests.Cli;

/// <summary>stargan data check / prepare / cache as a user runs them, on fabricated AFHQ-layout sets (tiny, so they break the
/// published counts and size, which is what the exit code must show).</summary>
public class DataCommandTests
{
    static (int Exit, string Output) Stargan(params string[] args) => StarganProcess.Run(Fixtures.RepoRoot, args);

    [Fact]
    public void Check_prints_the_table_and_the_offending_files_and_exits_1_on_problems()
    {
        string dir = Write(Path.Combine(TestImages.TempDir(), "afhq"), PublishedDatasets.Afhq, perDomain: 2, size: 16);
        File.Copy(Path.Combine(dir, "train", "cat", "cat_train_0000.jpg"), Path.Combine(dir, "val", "dog", "leak.jpg"));
        var (exit, output) = Stargan("data", "check", dir, "--list", "3");
        Assert.True(exit == 1, output);
        Assert.Contains($"afhq at {dir}: 13 images, expected 512x512", output);
        Assert.Contains("cross-split", output);
        Assert.Contains("off  all splits: 13 found, 16130 published", output);
        Assert.Contains("2 CrossSplit", output);
        Assert.Contains("13 WrongSize", output);
        Assert.Contains("CountMismatch", output);
        Assert.Contains("more (--list N shows more)", output);
    }

    [Fact]
    public void Prepare_refuses_a_hostile_archive_with_exit_2_and_writes_nothing()
    {
        string work = TestImages.TempDir(), dest = Path.Combine(work, "data");
        string zip = Crafted(Path.Combine(work, "afhq.zip"), ("afhq/train/cat/a.jpg", Noise(16, 16, new Random(1)), 0), ("afhq/../../../evil.jpg", [0], 0));
        var (exit, output) = Stargan("data", "prepare", zip, "--out", dest);
        Assert.True(exit == 2, output);
        Assert.Contains("refusing zip entry 'afhq/../../../evil.jpg'", output);
        Assert.False(Directory.Exists(dest));
    }

    [Fact]
    public void Prepare_unpacks_and_checks_and_cache_writes_every_split()
    {
        string work = TestImages.TempDir(), dest = Path.Combine(work, "data");
        string zip = Zip(Write(Path.Combine(work, "src"), PublishedDatasets.Afhq, perDomain: 2, size: 16), Path.Combine(work, "afhq.zip"), top: "afhq");
        var (exit, output) = Stargan("data", "prepare", zip, "--out", dest, "--cache-size", "8");
        Assert.True(exit == 1, output);   // the published counts and size
        Assert.Contains($"unpacked 12 files", output);
        Assert.Contains("no resized cache written", output);
        Assert.Contains("train with configs/afhq.yaml", output);
        Assert.True(File.Exists(Path.Combine(dest, "afhq", "val", "wild", "wild_val_0001.jpg")));

        (exit, output) = Stargan("data", "cache", Path.Combine(dest, "afhq"), "--size", "8");
        Assert.True(exit == 0, output);
        Assert.Contains($"wrote the resized cache {Path.Combine(dest, "afhq", ".stargan-cache", "8", "train")}", output);
        Assert.Contains($"wrote the resized cache {Path.Combine(dest, "afhq", ".stargan-cache", "8", "val")}", output);
        Assert.NotNull(ResizedCache.TryOpen(Path.Combine(dest, "afhq", "val"), 8, null, out _));
    }
}
