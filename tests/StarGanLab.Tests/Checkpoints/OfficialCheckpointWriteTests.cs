using StarGanLab.IO;
using System.Collections;
using System.IO.Compression;
using StarGanLab.Checkpoints;
using TorchSharp.PyBridge;
using Xunit;
using static StarGanLab.Tests.Checkpoints.CheckpointTestSupport;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Checkpoints;

/// <summary>OfficialCheckpoint.Write: torch.save's zip layout, read back by our reader and by PyBridge.</summary>
public class OfficialCheckpointWriteTests
{
    [Fact]
    public void Random_nets_round_trip_bit_exactly()
    {
        string dir = TempDir();
        var nets = RandomNets();
        string path = Path.Combine(dir, "000100_nets.ckpt");
        OfficialCheckpoint.Write(path, nets);
        var back = OfficialCheckpoint.Read(path);
        AssertBitIdentical(nets, back);
        Dispose(back);
        Assert.Equal([path], Directory.GetFiles(dir));   // the temp file is gone
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Written_file_has_torch_save_layout()
    {
        string dir = TempDir();
        string path = Path.Combine(dir, "000100_nets.ckpt");
        OfficialCheckpoint.Write(path, RandomNets());
        using (var zip = ZipFile.OpenRead(path))
        {
            var names = zip.Entries.Select(e => e.FullName).ToList();
            var storages = Enumerable.Range(0, 10).Select(i => $"000100_nets/data/{i}").OrderBy(n => n, StringComparer.Ordinal);
            Assert.Equal(["000100_nets/data.pkl", .. storages, "000100_nets/version"], names);
            Assert.All(zip.Entries, e => Assert.Equal(e.Length, e.CompressedLength));   // stored
            using var v = new StreamReader(zip.GetEntry("000100_nets/version")!.Open());
            Assert.Equal("3\n", v.ReadToEnd());
        }
        // Every entry's data starts on a 64-byte boundary, as torch's writer aligns them.
        var bytes = File.ReadAllBytes(path);
        for (int i = 0; i + 30 <= bytes.Length && BitConverter.ToUInt32(bytes, i) == 0x04034b50;)
        {
            int nameLen = BitConverter.ToUInt16(bytes, i + 26), extraLen = BitConverter.ToUInt16(bytes, i + 28);
            int data = i + 30 + nameLen + extraLen;
            Assert.Equal(0, data % 64);
            int size = FindDescriptorSize(bytes, data);
            i = data + size + 16;
        }
        Directory.Delete(dir, true);
    }

    static int FindDescriptorSize(byte[] b, int data)
    {
        for (int j = data; j + 16 <= b.Length; j++)
            if (BitConverter.ToUInt32(b, j) == 0x08074b50 && BitConverter.ToUInt32(b, j + 8) == j - data) return j - data;
        throw new Xunit.Sdk.XunitException("no data descriptor");
    }

    [Fact]
    public void PyBridge_reads_what_we_write()
    {
        string dir = TempDir();
        var nets = RandomNets();
        string path = Path.Combine(dir, "x.ckpt");
        OfficialCheckpoint.Write(path, nets);
        var table = PyTorchUnpickler.UnpickleStateDict(path);
        foreach (var (net, sd) in nets)
        {
            var theirs = (Hashtable)table[net]!;
            var asDict = theirs.Keys.Cast<string>().ToDictionary(k => k, k => (Tensor)theirs[k]!);
            Assert.Equal(sd.Count, asDict.Count);
            AssertBitIdentical(sd, sd.Keys.ToDictionary(k => k, k => asDict[k]), net);
        }
        Directory.Delete(dir, true);
    }

    [FixtureFact("basic/000000_nets.ckpt")]
    public void Basic_fixture_round_trips_bit_exactly()
    {
        string dir = TempDir();
        var nets = OfficialCheckpoint.Read(Fixtures.Parity("basic", "000000_nets.ckpt"));
        string path = Path.Combine(dir, "000000_nets.ckpt");
        OfficialCheckpoint.Write(path, nets);
        var back = OfficialCheckpoint.Read(path);
        AssertBitIdentical(nets, back);
        Dispose(nets); Dispose(back);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Unsupported_dtype_is_refused_and_existing_file_kept()
    {
        string dir = TempDir();
        string path = Path.Combine(dir, "keep.ckpt");
        File.WriteAllText(path, "old");
        var bad = new Dictionary<string, IReadOnlyDictionary<string, Tensor>>
        {
            ["net"] = new Dictionary<string, Tensor> { ["complex"] = TorchSharp.torch.zeros(2, dtype: ScalarType.ComplexFloat32) },
        };
        Assert.Throws<CheckpointException>(() => OfficialCheckpoint.Write(path, bad));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(dir));
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Atomic_write_that_fails_midway_keeps_the_old_file_and_leaves_no_temp()
    {
        string dir = TempDir();
        string path = Path.Combine(dir, "keep.ckpt");
        File.WriteAllText(path, "old");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, fs =>
        {
            fs.Write(new byte[1000]);
            throw new IOException("disk full (simulated)");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(dir));
        Directory.Delete(dir, true);
    }
}
