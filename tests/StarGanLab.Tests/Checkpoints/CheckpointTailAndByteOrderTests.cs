using System.Buffers.Binary;
using StarGanLab.Checkpoints;
using Xunit;

namespace StarGanLab.Tests.Checkpoints;

/// <summary>Checkpoints whose bytes say more than their content (issue 17): a torch zip that declares big-endian
/// storages (case 10) is converted; a legacy file with bytes after its last storage (case 11) is refused.</summary>
public sealed class CheckpointTailAndByteOrderTests : TorchTest, IDisposable
{
    readonly string dir = CheckpointTestSupport.TempDir();

    public void Dispose() => Directory.Delete(dir, true);

    static byte[] Floats(bool bigEndian, params float[] values)
    {
        var data = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
            if (bigEndian) BinaryPrimitives.WriteSingleBigEndian(data.AsSpan(i * 4), values[i]);
            else BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), values[i]);
        return data;
    }

    [Theory]
    [InlineData("big", true)]
    [InlineData("little", false)]
    public void A_zip_checkpoint_is_read_in_the_byte_order_it_declares(string byteorder, bool bigEndian)
    {
        string path = Path.Combine(dir, $"{byteorder}.ckpt");
        PickleBuilder.WriteZip(path, ("ok/data.pkl", PickleBuilder.StateDict(4, 4, 1)), ("ok/byteorder", System.Text.Encoding.ASCII.GetBytes(byteorder)),
            ("ok/data/0", Floats(bigEndian, 1.5f, -2f, 3.25f, 1e6f)), ("ok/version", "3\n"u8.ToArray()));
        var nets = OfficialCheckpoint.Read(path);
        Assert.Equal([1.5f, -2f, 3.25f, 1e6f], nets["net"]["w"].data<float>().ToArray());
        CheckpointTestSupport.Dispose(nets);
    }

    [Fact]
    public void A_zip_checkpoint_with_an_unknown_byte_order_is_refused_naming_it()
    {
        string path = Path.Combine(dir, "middle.ckpt");
        PickleBuilder.WriteZip(path, ("ok/data.pkl", PickleBuilder.StateDict(4, 4, 1)), ("ok/byteorder", "middle"u8.ToArray()),
            ("ok/data/0", new byte[16]), ("ok/version", "3\n"u8.ToArray()));
        var e = Assert.Throws<CheckpointException>(() => OfficialCheckpoint.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("byteorder 'middle'", e.Message);
    }

    static byte[] Legacy(params float[] values)
    {
        var keys = new PickleBuilder().Proto().Op(']').Str("0").Op('a').Stop().Bytes();
        return [.. PickleBuilder.LegacyPreamble(), .. PickleBuilder.StateDict(values.Length, values.Length, 1, legacyPid: true), .. keys,
            .. BitConverter.GetBytes((long)values.Length), .. Floats(bigEndian: false, values)];
    }

    [Fact]
    public void A_legacy_checkpoint_ending_after_its_last_storage_is_read()
    {
        string path = Path.Combine(dir, "ok.legacy.ckpt");
        File.WriteAllBytes(path, Legacy(1f, 2f, 3f, 4f));
        var nets = OfficialCheckpoint.Read(path);
        Assert.Equal([1f, 2f, 3f, 4f], nets["net"]["w"].data<float>().ToArray());
        CheckpointTestSupport.Dispose(nets);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    public void A_legacy_checkpoint_with_bytes_after_its_last_storage_is_refused(int junk)
    {
        string path = Path.Combine(dir, "junk.legacy.ckpt");
        File.WriteAllBytes(path, [.. Legacy(1f, 2f, 3f, 4f), .. Enumerable.Repeat((byte)0x2e, junk)]);
        var e = Assert.Throws<CheckpointException>(() => OfficialCheckpoint.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains($"{junk} unexpected byte(s) after the last storage", e.Message);
    }
}
