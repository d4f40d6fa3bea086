using StarGanLab.Config;
using StarGanLab.Data;
using StarGanLab.Experiments;
using StarGanLab.Tests.Training;
using Xunit;
using Xunit.Abstractions;
using static StarGanLab.Tests.Data.DatasetFixtures;

namespace StarGanLab.Tests.Data;

/// <summary>data prepare on fabricated archives, and the resized cache it writes: used by training when its size is
/// model.img_size and its originals are unchanged, giving the batches the originals give.</summary>
public class DatasetPrepareTests(ITestOutputHelper output)
{
    /// <summary>Originals at 32 px, so the 16 px cache really resizes.</summary>
    static readonly DatasetSpec Spec = Tiny(perDomain: 3, size: 32);

    static (string Dest, PrepareResult Result) Prepared(int? cacheSize = 16)
    {
        string work = TestImages.TempDir();
        string src = Write(Path.Combine(work, "src"), Spec, perDomain: 3);
        string archive = Zip(src, Path.Combine(work, "tiny.zip"), top: "tiny");
        string dest = Path.Combine(work, "data");
        return (dest, DatasetPrepare.Run(archive, dest, new PrepareOptions(CacheSize: cacheSize, Spec: Spec, Check: new DatasetCheckOptions(Threads: 2))));
    }

    [Fact]
    public void Prepare_unpacks_checks_and_writes_the_cache_that_training_then_reads()
    {
        var (dest, result) = Prepared();
        string root = Path.Combine(dest, "tiny");
        Assert.True(result.Report.Clean, string.Join("\n", result.Report.Problems));
        Assert.Equal((root, 18), (result.Report.Root, result.Report.Images));
        Assert.Equal([Path.Combine(root, ".stargan-cache", "16", "train"), Path.Combine(root, ".stargan-cache", "16", "val")], result.CacheFolders);
        Assert.Equal(Path.Combine(root, ".stargan-cache", "16", "train", "cat", "cat_train_0000.jpg.png"),
                     Assert.IsType<CachedImageFolder>(ResizedCache.TryOpen(Path.Combine(root, "train"), 16, null, out _)).Files(0)[0]);

        var log = new List<string>();
        var cfg = TinyRuns.Config(TinyRuns.TempRoot(), totalIters: 1) with
        {
            Data = new DataConfig(Source: "folder", Root: Path.Combine(root, "train"), ValRoot: Path.Combine(root, "val"), Workers: 1, Prefetch: 2),
        };
        Experiment.Run(cfg, new ExperimentOptions { Log = m => { lock (log) log.Add(m); } });
        Assert.Contains(log, l => l.Contains($"{Path.Combine(root, "train")}: reading the 16px resized cache"));
        Assert.Contains(log, l => l.Contains($"{Path.Combine(root, "val")}: reading the 16px resized cache"));
    }

    [Fact]
    public void Cached_images_give_the_batches_the_originals_give()
    {
        var (dest, _) = Prepared();
        string train = Path.Combine(dest, "tiny", "train");
        var cached = ResizedCache.TryOpen(train, 16, null, out _)!;
        var originals = new ImageFolderDataset(train);

        // Resize only (the validation transform, and training with crops and flips off): bit for bit the same.
        var plain = new BatchOptions(16, BatchSize: 4, Seed: 3, Augment: AugmentOptions.Validation(16));
        for (long b = 0; b < 3; b++)
            Assert.Equal(new BatchAssembler(originals, plain).Assemble(b).XSrc, new BatchAssembler(cached, plain).Assemble(b).XSrc);

        // Flips alone: mirroring the resized image is mirroring before resizing.
        var flips = new BatchOptions(16, BatchSize: 4, Seed: 3, Augment: new AugmentOptions(16, CropProb: 0, FlipProb: 0.5));
        for (long b = 0; b < 3; b++)
            Assert.Equal(new BatchAssembler(originals, flips).Assemble(b).XSrc, new BatchAssembler(cached, flips).Assemble(b).XSrc);

        // The official transform's random crops: drawn on the original's size (the same randomness and the same region of
        // the picture), but resampled from the 16 px copy instead of the 32 px original. On these noise images, the worst
        // case for resampling, that measured max 0.36 and mean 0.011 (1.4 levels of 255); docs/data.md quotes it.
        var official = new BatchOptions(16, BatchSize: 8, Seed: 3);
        double max = 0, sum = 0;
        long n = 0;
        for (long b = 0; b < 8; b++)
        {
            var (x, y) = (new BatchAssembler(originals, official).Assemble(b), new BatchAssembler(cached, official).Assemble(b));
            Assert.Equal(x.YSrc, y.YSrc);
            for (int i = 0; i < x.XSrc.Length; i++)
            {
                double d = Math.Abs(x.XSrc[i] - y.XSrc[i]);
                (max, sum, n) = (Math.Max(max, d), sum + d, n + 1);
            }
        }
        output.WriteLine($"official transform, cached vs originals, in [-1, 1] units: max |diff| {max:F4}, mean |diff| {sum / n:F5} over {n} values");
        Assert.InRange(sum / n, 0, 0.02);
        Assert.InRange(max, 0, 0.5);
    }

    [Fact]
    public void A_cache_whose_originals_changed_appeared_or_went_is_not_used()
    {
        var (dest, _) = Prepared();
        string train = Path.Combine(dest, "tiny", "train");
        var options = new ImageFolderOptions();
        Assert.NotNull(ResizedCache.TryOpen(train, 16, options, out string? why));
        Assert.Null(why);

        string changed = Path.Combine(train, "dog", "dog_train_0001.jpg");
        File.WriteAllBytes(changed, Noise(32, 32, new Random(42)));
        Assert.Null(ResizedCache.TryOpen(train, 16, options, out why));
        Assert.Contains("'dog/dog_train_0001.jpg' changed since the cache was written", why);
        var log = new List<string>();
        Assert.IsType<ImageFolderDataset>(DataSources.OpenFolder(train, 16, options, log.Add));
        Assert.Contains(log, l => l.Contains("reading the original images") && l.Contains("is stale"));

        ResizedCache.Write(train, 16, options);
        Assert.NotNull(ResizedCache.TryOpen(train, 16, options, out _));
        File.WriteAllBytes(Path.Combine(train, "wild", "new.jpg"), Noise(32, 32, new Random(43)));
        Assert.Null(ResizedCache.TryOpen(train, 16, options, out why));
        Assert.Contains("'wild/new.jpg' is new", why);

        ResizedCache.Write(train, 16, options);
        File.Delete(Path.Combine(train, "cat", "cat_train_0002.jpg"));
        Assert.Null(ResizedCache.TryOpen(train, 16, options, out why));
        Assert.Contains("'cat/cat_train_0002.jpg' is gone", why);

        Assert.Null(ResizedCache.TryOpen(train, 32, options, out why));
        Assert.Contains("has size(s) 16, not 32", why);
    }

    [Fact]
    public void No_cache_is_written_for_a_set_with_problems_and_a_hostile_archive_writes_nothing()
    {
        string work = TestImages.TempDir();
        string src = Write(Path.Combine(work, "src"), Spec, perDomain: 3);
        File.WriteAllBytes(Path.Combine(src, "val", "cat", "cat_val_0000.jpg"), Noise(32, 32, new Random(9), gray: true));
        string dest = Path.Combine(work, "data");
        var result = DatasetPrepare.Run(Zip(src, Path.Combine(work, "gray.zip"), top: "tiny"), dest, new PrepareOptions(CacheSize: 16, Spec: Spec));
        Assert.Equal(DataProblemKind.Grayscale, Assert.Single(result.Report.Problems).Kind);
        Assert.Empty(result.CacheFolders);
        Assert.Contains("stargan data cache", result.CacheSkipped);
        Assert.False(Directory.Exists(Path.Combine(dest, "tiny", ResizedCache.FolderName)));

        string hostile = Crafted(Path.Combine(work, "hostile.zip"), ("tiny/train/cat/a.jpg", Noise(32, 32, new Random(1)), 0), ("../../escape.jpg", [1, 2, 3], 0));
        string fresh = Path.Combine(work, "fresh");
        var e = Assert.Throws<InvalidDataException>(() => DatasetPrepare.Run(hostile, fresh, new PrepareOptions(CacheSize: 16, Spec: Spec)));
        Assert.Contains("refusing zip entry '../../escape.jpg'", e.Message);
        Assert.False(Directory.Exists(fresh));
        Assert.False(File.Exists(Path.Combine(work, "..", "escape.jpg")));
    }
}
