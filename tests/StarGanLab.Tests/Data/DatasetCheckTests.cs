using StarGanLab.Data;
using Xunit;
using static StarGanLab.Tests.Data.DatasetFixtures;

namespace StarGanLab.Tests.Data;

/// <summary>data check on fabricated sets: a clean one passes, and each kind of problem is found at the file it is in.</summary>
public class DatasetCheckTests
{
    static readonly DatasetSpec Spec = Tiny(perDomain: 3);

    static DatasetReport Check(string dir, DatasetSpec? spec = null) => DatasetCheck.Run(dir, spec ?? Spec, new DatasetCheckOptions(Threads: 2));

    static string CleanSet() => Write(TestImages.TempDir(), Spec, perDomain: 3);

    static DataProblem Only(DatasetReport report, DataProblemKind kind) => Assert.Single(report.Problems, p => p.Kind == kind);

    [Fact]
    public void A_clean_set_in_the_published_layout_passes()
    {
        string dir = CleanSet();
        int seen = 0;
        var report = DatasetCheck.Run(dir, Spec, new DatasetCheckOptions(Threads: 2), (done, total) => Interlocked.Exchange(ref seen, total));
        Assert.True(report.Clean, string.Join("\n", report.Problems));
        Assert.Equal(18, report.Images);
        Assert.Equal(18, seen);
        Assert.Equal(6, report.Cells.Count);
        Assert.All(report.Cells, c => Assert.Equal((3, 3, 0, 0, 0, 0, 0), (c.Expected!.Value, c.Found, c.Corrupt, c.Duplicates, c.Gray, c.WrongSize, c.CrossSplit)));
        Assert.All(report.Counts, c => Assert.True(c.Ok));
    }

    [Fact]
    public void A_truncated_image_is_corrupt()
    {
        string dir = CleanSet();
        string victim = Path.Combine(dir, "train", "cat", "cat_train_0001.jpg");
        byte[] bytes = File.ReadAllBytes(victim);
        File.WriteAllBytes(victim, bytes[..(bytes.Length / 2)]);
        var report = Check(dir);
        Assert.Equal(victim, Only(report, DataProblemKind.Corrupt).Path);
        Assert.Equal(1, report.Cells.Single(c => c.Split == "train" && c.Domain == "cat").Corrupt);
        Assert.Single(report.Problems);
    }

    [Fact]
    public void A_second_copy_in_the_same_split_is_a_duplicate_and_names_the_first()
    {
        string dir = CleanSet();
        string original = Path.Combine(dir, "train", "dog", "dog_train_0000.jpg"), copy = Path.Combine(dir, "train", "wild", "zz_copy.jpg");
        File.Copy(original, copy);
        var report = Check(dir);
        var dup = Only(report, DataProblemKind.Duplicate);
        Assert.Equal(copy, dup.Path);
        Assert.Contains(original, dup.Detail);
        Assert.DoesNotContain(report.Problems, p => p.Kind == DataProblemKind.CrossSplit);
        // The extra file also breaks the published count of train/wild.
        Assert.Contains("train/wild: 4 images, published 3", Only(report, DataProblemKind.CountMismatch).Detail);
    }

    [Fact]
    public void The_same_image_in_train_and_val_is_cross_split_leakage_on_both_sides()
    {
        string dir = CleanSet();
        string trained = Path.Combine(dir, "train", "cat", "cat_train_0002.jpg"), heldOut = Path.Combine(dir, "val", "cat", "cat_val_0002.jpg");
        File.Copy(trained, heldOut, overwrite: true);
        var report = Check(dir);
        var leaks = report.Problems.Where(p => p.Kind == DataProblemKind.CrossSplit).ToList();
        Assert.Equal([trained, heldOut], leaks.Select(p => p.Path).Order(StringComparer.Ordinal));
        Assert.Contains(trained, leaks.Single(p => p.Path == heldOut).Detail);
        Assert.DoesNotContain(report.Problems, p => p.Kind == DataProblemKind.Duplicate);
        Assert.Equal(1, report.Cells.Single(c => c.Split == "val" && c.Domain == "cat").CrossSplit);
    }

    [Fact]
    public void A_grayscale_image_is_found_even_when_stored_as_colour_jpeg()
    {
        string dir = CleanSet();
        string gray = Path.Combine(dir, "val", "wild", "wild_val_0000.jpg");
        File.WriteAllBytes(gray, Noise(16, 16, new Random(5), gray: true));
        var report = Check(dir);
        Assert.Equal(gray, Only(report, DataProblemKind.Grayscale).Path);
        Assert.Single(report.Problems);
    }

    [Fact]
    public void An_image_of_another_size_is_wrong_size()
    {
        string dir = CleanSet();
        string odd = Path.Combine(dir, "val", "dog", "dog_val_0001.jpg");
        File.WriteAllBytes(odd, Noise(20, 16, new Random(6)));
        var problem = Only(Check(dir), DataProblemKind.WrongSize);
        Assert.Equal(odd, problem.Path);
        Assert.Equal("20x16, expected 16x16", problem.Detail);
    }

    [Fact]
    public void Missing_domain_and_split_folders_and_an_extra_domain_are_problems()
    {
        string dir = CleanSet();
        Directory.Delete(Path.Combine(dir, "train", "wild"), recursive: true);
        Directory.CreateDirectory(Path.Combine(dir, "train", "horse"));
        Directory.Delete(Path.Combine(dir, "val"), recursive: true);
        var report = Check(dir);
        Assert.Equal(Path.Combine(dir, "train", "wild"), Only(report, DataProblemKind.MissingDomain).Path);
        Assert.Equal(Path.Combine(dir, "train", "horse"), Only(report, DataProblemKind.UnexpectedDomain).Path);
        Assert.Equal(Path.Combine(dir, "val"), Only(report, DataProblemKind.MissingSplit).Path);
        Assert.Contains(report.Cells, c => c.Split == "train" && c.Domain == "horse" && c.Found == 0);
        // Every published val cell and train/wild are short now.
        Assert.Equal(4, report.Count(DataProblemKind.CountMismatch));
    }

    [Fact]
    public void A_count_below_the_published_one_is_a_mismatch_naming_the_source()
    {
        string dir = CleanSet();
        File.Delete(Path.Combine(dir, "val", "dog", "dog_val_0000.jpg"));
        var spec = Spec with { Counts = [.. Spec.Counts, new ExpectedCount("val", null, 9, "a made-up total")] };
        var report = Check(dir, spec);
        var mismatches = report.Problems.Where(p => p.Kind == DataProblemKind.CountMismatch).Select(p => p.Detail).ToList();
        Assert.Equal(2, mismatches.Count);
        Assert.Contains("val/dog: 2 images, published 3 (fabricated by the test)", mismatches);
        Assert.Contains("val (all domains): 8 images, published 9 (a made-up total)", mismatches);
        Assert.Equal(2, report.Cells.Single(c => c.Split == "val" && c.Domain == "dog").Found);
    }

    [Fact]
    public void The_published_specs_are_told_apart_by_their_folders_and_hold_tiny_sets_to_the_published_counts()
    {
        string afhq = Write(Path.Combine(TestImages.TempDir(), "afhq"), PublishedDatasets.Afhq, perDomain: 2, size: 16);
        var report = DatasetCheck.Run(Path.GetDirectoryName(afhq)!);   // the folder around afhq/, as 'unzip -d data' leaves it
        Assert.Equal(("afhq", afhq), (report.Spec.Name, report.Root));
        Assert.Equal(12, report.Count(DataProblemKind.WrongSize));
        Assert.Contains(report.Problems, p => p.Detail == $"all splits: 12 images, published 16130 ({report.Spec.Counts[0].Source})");
        Assert.Contains("github.com/clovaai/stargan-v2", report.Spec.Counts[0].Source);

        string v2 = Write(TestImages.TempDir(), PublishedDatasets.AfhqV2, perDomain: 1, size: 16, png: true);
        Assert.Equal("afhq_v2", DatasetCheck.Run(v2).Spec.Name);
        string celeba = Write(TestImages.TempDir(), PublishedDatasets.CelebaHq, perDomain: 1, size: 16);
        Assert.Equal("celeba_hq", DatasetCheck.Run(celeba).Spec.Name);
    }

    [Fact]
    public void A_layout_that_fits_two_data_sets_or_none_asks_for_dataset()
    {
        string onlyTrain = Write(TestImages.TempDir(), Tiny(splits: ["train"]), perDomain: 1);
        var ambiguous = Assert.Throws<DataException>(() => DatasetCheck.Run(onlyTrain));
        Assert.Contains("could be afhq or afhq_v2", ambiguous.Message);
        Assert.Contains("--dataset", ambiguous.Message);

        string other = TestImages.TempDir();
        Directory.CreateDirectory(Path.Combine(other, "images"));
        Directory.CreateDirectory(Path.Combine(other, "labels"));
        var unknown = Assert.Throws<DataException>(() => DatasetCheck.Run(other));
        Assert.Contains("it has [images, labels]", unknown.Message);
    }
}
