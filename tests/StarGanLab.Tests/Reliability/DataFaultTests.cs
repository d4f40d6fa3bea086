using System.Diagnostics;
using SkiaSharp;
using StarGanLab.Config;
using StarGanLab.Data;
using StarGanLab.Runs;
using StarGanLab.Tests.Data;
using StarGanLab.Tests.Training;
using StarGanLab.Training;
using StarGanLab.Experiments.Hooks;
using Xunit;
using StarGanLab.Experiments;

namespace StarGanLab.Tests.Reliability;

/// <summary>ImageFolder data that changes under a running job or is laid out hostilely. The bad-input cases of the
/// scan itself (empty, truncated, non-image, dangling link, unreadable, bomb) stay in Data/ImageFolderDatasetTests.</summary>
public class DataFaultTests : TorchTest, IDisposable
{
    readonly string root = TestImages.TempDir();

    // rm, not Directory.Delete: .NET cannot name the non-UTF-8 file one test creates
    public void Dispose() => DiskFullTests.Sh("rm", "-rf", root);

    string Domain(string name, int images, int size = 16)
    {
        string dir = Directory.CreateDirectory(Path.Combine(root, name)).FullName;
        for (int i = 0; i < images; i++)
            File.WriteAllBytes(Path.Combine(dir, $"img{i:D5}.png"), TestImages.SolidPng(size, size, new SKColor((byte)(40 * i), 90, 200)));
        return dir;
    }

    [Fact]
    public void A_file_deleted_or_overwritten_after_the_scan_is_replaced_by_the_next_one_with_one_warning()
    {
        string cat = Domain("cat", 3);
        Domain("dog", 1);
        var warnings = new List<string>();
        var ds = new ImageFolderDataset(root, warn: warnings.Add);
        File.Delete(Path.Combine(cat, "img00000.png"));
        File.WriteAllText(Path.Combine(cat, "img00001.png"), "rewritten by another job");

        for (int round = 0; round < 3; round++)
            using (var bmp = ds.Load(0, 0))
                Assert.Equal(80, bmp.GetPixel(0, 0).Red);   // both broken files fall through to img00002 (red 40 * 2)
        Assert.Equal(2, warnings.Count);
        Assert.Contains(warnings, w => w.Contains("img00000.png") && w.Contains("cannot be read"));
        Assert.Contains(warnings, w => w.Contains("img00001.png") && w.Contains("not a readable image"));
        Assert.Equal(2, ds.Lost.Count);

        File.Delete(Path.Combine(cat, "img00002.png"));
        var ex = Assert.Throws<DataException>(() => ds.Load(0, 1));
        Assert.Contains("'cat'", ex.Message);
        Assert.Contains("no readable image left", ex.Message);
    }

    [Fact]
    public void Training_goes_on_when_images_disappear_after_the_scan()
    {
        string cat = Domain("cat", 4);
        Domain("dog", 4);
        Domain("wild", 4);
        var tiny = TinyRuns.Config(TinyRuns.TempRoot(), totalIters: 6, workers: 1);
        var cfg = tiny with { Data = tiny.Data with { Source = "folder", Root = root } };
        var log = new List<string>();
        using var s = TrainingSession.Start(cfg, RunDirectory.Create(cfg.Run.Root, "vanish", false), m => { lock (log) log.Add(m); });
        foreach (int i in new[] { 0, 1, 2 }) File.Delete(Path.Combine(cat, $"img{i:D5}.png"));

        s.Train([new LossLogHook(1)]);

        Assert.Equal(6, s.Trainer.Step);
        var vanished = log.Where(l => l.Contains("disappeared after the scan")).ToList();
        Assert.NotEmpty(vanished);
        Assert.Equal(vanished.Count, vanished.Distinct().Count());   // one warning per file, however often it is drawn
    }

    [Fact]
    public async Task Symlink_loops_in_the_data_root_do_not_hang_or_crash_the_scan()
    {
        string cat = Domain("cat", 2);
        Domain("dog", 1);
        Directory.CreateSymbolicLink(Path.Combine(cat, "loop"), cat);                         // a folder linking to its parent
        Directory.CreateSymbolicLink(Path.Combine(cat, "a"), Path.Combine(cat, "b"));         // a <-> b
        Directory.CreateSymbolicLink(Path.Combine(cat, "b"), Path.Combine(cat, "a"));

        var scan = Task.Run(() => new ImageFolderDataset(root));
        var ds = await scan.WaitAsync(TimeSpan.FromSeconds(20));   // throws TimeoutException if the scan loops
        Assert.Equal(["cat", "dog"], ds.DomainNames);
        Assert.Equal(2, ds.Count(0));   // linked folders are not followed, so nothing is listed twice
    }

    [Fact]
    public void A_file_name_that_is_not_UTF_8_is_skipped_with_a_warning_and_the_rest_is_used()
    {
        string cat = Domain("cat", 2);
        Domain("dog", 1);
        // .NET cannot spell a name with byte 0xFF; the shell can
        var psi = new ProcessStartInfo("sh") { WorkingDirectory = cat };
        foreach (var a in new[] { "-c", "cp img00000.png \"$(printf 'latin1-\\377t\\351.png')\"" }) psi.ArgumentList.Add(a);
        using (var p = Process.Start(psi)!) { p.WaitForExit(); Assert.Equal(0, p.ExitCode); }
        Assert.Equal(3, Directory.GetFiles(cat).Length);

        var warnings = new List<string>();
        var ds = new ImageFolderDataset(root, warn: warnings.Add);
        Assert.Equal(2, ds.Count(0));
        Assert.Contains("latin1-", Assert.Single(warnings));
    }

    [Fact]
    public void Ten_thousand_files_per_domain_are_listed_in_name_order()
    {
        const int perDomain = 10_000;
        byte[] png = TestImages.SolidPng(4, 4, SKColors.Teal);
        string dir = Directory.CreateDirectory(Path.Combine(root, "cat")).FullName;
        Parallel.For(0, perDomain, i => File.WriteAllBytes(Path.Combine(dir, $"{i:D6}.png"), png));
        Domain("dog", 1);
        var ds = new ImageFolderDataset(root, new ImageFolderOptions(VerifyOnOpen: false));
        Assert.Equal(perDomain, ds.Count(0));
        Assert.Equal("000000.png", Path.GetFileName(ds.Files(0)[0]));
        Assert.Equal("009999.png", Path.GetFileName(ds.Files(0)[^1]));
    }
}
