using System.IO.Compression;
using StarGanLab.IO;
using StarGanLab.Tests.Data;
using Xunit;
using static StarGanLab.Tests.Data.DatasetFixtures;

namespace StarGanLab.Tests.Archives;   // not ...Tests.IO: that would shadow StarGanLab.IO in the other test namespaces

/// <summary>Hostile and broken archives are refused with the entry named, and leave the destination exactly as it was.</summary>
public class SafeZipExtractorTests
{
    static readonly byte[] Jpeg = Noise(8, 8, new Random(1));

    /// <summary>A destination that already holds a file, so "nothing changed" means more than "still empty".</summary>
    static string Destination()
    {
        string dest = Path.Combine(TestImages.TempDir(), "data");
        Directory.CreateDirectory(Path.Combine(dest, "celeba_hq"));
        File.WriteAllText(Path.Combine(dest, "celeba_hq", "keep.txt"), "mine");
        return dest;
    }

    static void RefusedAndUntouched(string zip, string expected)
    {
        string dest = Destination();
        string[] before = Tree(Path.GetDirectoryName(dest)!);
        var e = Assert.Throws<InvalidDataException>(() => SafeZipExtractor.Extract(zip, dest));
        Assert.StartsWith(zip, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.Equal(before, Tree(Path.GetDirectoryName(dest)!));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(dest, "celeba_hq", "keep.txt")));
    }

    static string ZipPath() => Path.Combine(TestImages.TempDir(), "hostile.zip");

    [Fact]
    public void Path_traversal_is_refused() =>
        RefusedAndUntouched(Crafted(ZipPath(), ("afhq/train/cat/a.jpg", Jpeg, 0), ("afhq/../../evil.jpg", Jpeg, 0)),
                            "refusing zip entry 'afhq/../../evil.jpg': entry names must be relative paths without '..'");

    [Fact]
    public void An_absolute_path_is_refused() =>
        RefusedAndUntouched(Crafted(ZipPath(), ("/tmp/stargan-abs.jpg", Jpeg, 0)), "refusing zip entry '/tmp/stargan-abs.jpg'");

    [Fact]
    public void A_symbolic_link_entry_is_refused() =>
        RefusedAndUntouched(Crafted(ZipPath(), ("afhq/train/cat/a.jpg", Jpeg, 0x81A4), ("afhq/train/cat/link.jpg", "/etc/passwd"u8.ToArray(), 0xA1FF)),
                            "refusing zip entry 'afhq/train/cat/link.jpg': it is a symbolic link");

    [Fact]
    public void A_zip_bomb_is_refused_before_anything_is_inflated() =>
        // 64 MiB of zeros deflate to about 64 KiB: 1000x, where image archives are about 1x and the limit is 64x.
        RefusedAndUntouched(Crafted(ZipPath(), ("afhq/train/cat/bomb.jpg", new byte[64 << 20], 0)), "(zip bomb?)");

    [Fact]
    public void Too_many_entries_are_refused()
    {
        string zip = Crafted(ZipPath(), Enumerable.Range(0, 6).Select(i => ($"f{i}.jpg", Jpeg, 0)).ToArray());
        string dest = Destination();
        string[] before = Tree(dest);
        var e = Assert.Throws<InvalidDataException>(() => SafeZipExtractor.Extract(zip, dest, limits: new ZipExtractLimits(MaxEntries: 5)));
        Assert.Contains("the archive has 6 entries, more than the limit of 5 (zip bomb?)", e.Message);
        Assert.Equal(before, Tree(dest));
    }

    [Fact]
    public void A_corrupt_entry_after_good_ones_leaves_nothing_half_written()
    {
        var noise = new byte[4096];
        new Random(3).NextBytes(noise);   // incompressible: the deflated data is about as long, so the flipped byte is inside it
        string zip = Crafted(ZipPath(), ("afhq/train/cat/a.jpg", Jpeg, 0), ("afhq/train/cat/b.bin", noise, 0));
        // Flip a byte inside the second entry's deflated data: its CRC-32 (or the inflater) fails after the first was written.
        byte[] bytes = File.ReadAllBytes(zip);
        int header = IndexOf(bytes, "afhq/train/cat/b.bin"u8.ToArray());
        bytes[header + 20 + 1000] ^= 0x55;
        File.WriteAllBytes(zip, bytes);
        string dest = Destination();
        string[] before = Tree(dest);
        var e = Assert.Throws<InvalidDataException>(() => SafeZipExtractor.Extract(zip, dest));
        Assert.Contains("afhq/train/cat/b.bin", e.Message);
        Assert.Equal(before, Tree(dest));   // neither a.jpg nor the hidden unpacking folder is left

        string fresh = Path.Combine(TestImages.TempDir(), "new");   // a destination the extraction itself creates is removed too
        Assert.Throws<InvalidDataException>(() => SafeZipExtractor.Extract(zip, fresh));
        Assert.False(Directory.Exists(fresh));
    }

    [Fact]
    public void Existing_files_are_kept_unless_forced_and_new_ones_are_added_beside_them()
    {
        string dest = Destination();
        string zip = Crafted(ZipPath(), ("celeba_hq/keep.txt", "theirs"u8.ToArray(), 0), ("afhq/train/cat/a.jpg", Jpeg, 0));
        var e = Assert.Throws<IOException>(() => SafeZipExtractor.Extract(zip, dest));
        Assert.Contains("1 file(s) already exist", e.Message);
        Assert.Contains("--force", e.Message);
        Assert.False(Directory.Exists(Path.Combine(dest, "afhq")));

        var result = SafeZipExtractor.Extract(zip, dest, overwrite: true);
        Assert.Equal(["afhq", "celeba_hq"], result.TopLevel);
        Assert.Equal("theirs", File.ReadAllText(Path.Combine(dest, "celeba_hq", "keep.txt")));
        Assert.Equal(Jpeg, File.ReadAllBytes(Path.Combine(dest, "afhq", "train", "cat", "a.jpg")));
        Assert.DoesNotContain(Tree(dest), p => p.Contains(".stargan-unpack-"));
    }

    [Fact]
    public void The_checkpoint_reader_and_the_extractor_share_one_name_rule()
    {
        foreach (string bad in new[] { "../x", "a/../../x", "/abs", "c:/x", "a\\b", "./x", "" })
            Assert.NotNull(ZipRules.NameProblem(bad));
        foreach (string good in new[] { "afhq/train/cat/flickr_cat_000002.jpg", "archive/data/0", "afhq/" })
            Assert.Null(ZipRules.NameProblem(good));
        var e = Assert.Throws<StarGanLab.Checkpoints.CheckpointException>(() => StarGanLab.Checkpoints.PyTorchZipReader.CheckEntryName("../x", "f.pt"));
        Assert.Equal($"f.pt: {ZipRules.NameProblem("../x")}", e.Message);
    }

    static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        throw new InvalidOperationException("entry name not found in the archive");
    }
}
