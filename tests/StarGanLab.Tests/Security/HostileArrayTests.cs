using System.Buffers.Binary;
using System.IO.Compression;
using StarGanLab.IO;
using Xunit;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Security;

/// <summary>.npy and .npz files that lie about their size, are cut short or are big-endian (issue 17, cases 6, 7, 10).</summary>
public sealed class HostileArrayTests : TorchTest, IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("stargan-npz").FullName;

    public void Dispose() => Directory.Delete(dir, true);

    string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Managed bytes this thread allocates while <paramref name="read"/> runs (the inflating and copying of an
    /// entry all happen on the calling thread).</summary>
    static long Allocated(Action read)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        read();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    [Fact]
    public void A_small_npz_declaring_a_huge_array_is_refused_before_inflating_it()
    {
        // 64 MiB of zeros, declared honestly, deflate to about 64 KiB: the ratio alone gives it away.
        var npy = CraftedFiles.Npy("<f4", $"({16 << 20},)", new byte[64 << 20]);
        string npz = Write("bomb.npz", CraftedFiles.Zip([("mean.npy", npy)], CompressionLevel.SmallestSize));
        long fileBytes = new FileInfo(npz).Length;
        Assert.True(fileBytes < 1 << 20, $"{fileBytes}");

        InvalidDataException? e = null;
        long allocated = Allocated(() => e = Assert.Throws<InvalidDataException>(() => Npz.Read(npz)));
        Assert.Contains(npz, e!.Message);
        Assert.Contains($"implausible for a {fileBytes}-byte file", e.Message);
        Assert.True(allocated < 16 << 20, $"allocated {allocated} bytes before refusing");
    }

    [Fact]
    public void An_npz_entry_larger_than_the_callers_limit_is_refused_before_its_data_is_inflated()
    {
        // Stored (not compressed), so the ratio is 1; the caller's limit is what refuses it.
        var npy = CraftedFiles.Npy("<f4", $"({2 << 20},)", new byte[8 << 20]);
        string npz = Write("big.npz", CraftedFiles.Zip([("mean.npy", npy)]));
        InvalidDataException? e = null;
        long allocated = Allocated(() => e = Assert.Throws<InvalidDataException>(() => Npz.Read(npz, new NpzLimits(MaxEntryBytes: 1 << 20))));
        Assert.Contains(npz, e!.Message);
        Assert.Contains($"entry 'mean.npy' is {npy.Length} bytes, more than 1048576", e.Message);
        Assert.True(allocated < 4 << 20, $"allocated {allocated} bytes before refusing");
    }

    [Theory]
    [InlineData(0.2)]
    [InlineData(0.6)]
    [InlineData(0.95)]
    public void A_truncated_npz_is_refused_naming_the_file(double keep)
    {
        var npy = CraftedFiles.Npy("<f4", "(98, 2)", new byte[98 * 2 * 4]);
        var whole = CraftedFiles.Zip([("mean.npy", npy), ("other.npy", npy)], CompressionLevel.Optimal);
        string npz = Write("cut.npz", whole[..(int)(whole.Length * keep)]);
        var e = Assert.Throws<InvalidDataException>(() => Npz.Read(npz));
        Assert.Contains(npz, e.Message);
    }

    [Theory]
    [InlineData(">f4")]
    [InlineData(">f8")]
    [InlineData(">i4")]
    [InlineData(">i8")]
    public void Big_endian_npy_and_npz_are_converted_to_the_values_they_hold(string descr)
    {
        int size = descr[^1] - '0';
        var data = new byte[3 * size];
        for (int i = 0; i < 3; i++)
        {
            var at = data.AsSpan(i * size, size);
            switch (descr[1..])
            {
                case "f4": BinaryPrimitives.WriteSingleBigEndian(at, i + 1.5f); break;
                case "f8": BinaryPrimitives.WriteDoubleBigEndian(at, i + 1.5); break;
                case "i4": BinaryPrimitives.WriteInt32BigEndian(at, (i + 1) * 1000); break;
                default: BinaryPrimitives.WriteInt64BigEndian(at, (i + 1) * 1000); break;
            }
        }
        double[] expected = descr[1] == 'f' ? [1.5, 2.5, 3.5] : [1000, 2000, 3000];
        var npy = CraftedFiles.Npy(descr, "(3,)", data);
        using var fromNpy = Npy.Read(Write("be.npy", npy));
        Assert.Equal(expected, fromNpy.to(float64).data<double>().ToArray());
        var arrays = Npz.Read(Write("be.npz", CraftedFiles.Zip([("x.npy", npy)])));
        using var fromNpz = arrays["x"];
        Assert.Equal(expected, fromNpz.to(float64).data<double>().ToArray());
    }
}
