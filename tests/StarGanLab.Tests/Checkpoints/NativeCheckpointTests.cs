using System.Text.Json.Nodes;
using StarGanLab.Checkpoints;
using Xunit;
using static StarGanLab.Tests.Checkpoints.CheckpointTestSupport;

namespace StarGanLab.Tests.Checkpoints;

/// <summary>NativeCheckpoint: round trip, header, and refusal of truncated, corrupt and foreign files.</summary>
public class NativeCheckpointTests : IDisposable
{
    readonly string dir = TempDir();

    public void Dispose() => Directory.Delete(dir, true);

    string SaveSample(string name = "000100_nets.sgl")
    {
        string path = Path.Combine(dir, name);
        NativeCheckpoint.Save(path, "nets", 100, new JsonObject { ["lambda_sty"] = 1.0, ["note"] = "h\u00e9llo \"quoted\"" }, RandomNets());
        return path;
    }

    [Fact]
    public void Save_then_load_is_bit_exact_with_header()
    {
        var nets = RandomNets();
        string path = Path.Combine(dir, "000100_nets.sgl");
        NativeCheckpoint.Save(path, "nets", 100, new JsonObject { ["img_size"] = 256, ["nested"] = new JsonObject { ["a"] = "b" } }, nets);
        using var loaded = NativeCheckpoint.Load(path, expectedKind: "nets");
        AssertBitIdentical(nets, loaded.Groups);
        var h = loaded.Header;
        Assert.Equal(("starganlab-checkpoint", 1, "nets", 100L), (h.Format, h.Version, h.Kind, h.Step));
        Assert.Equal(256, (int)h.Config!["img_size"]!);
        Assert.Equal("b", (string)h.Config!["nested"]!["a"]!);
        Assert.Equal(["conv.weight", "conv.bias", "bn.running_mean", "bn.num_batches_tracked", "half", "ids", "mask", "empty"],
            h.Groups["generator"].Select(t => t.Key));
        Assert.Equal("int64", h.Groups["generator"][3].DType);
        Assert.Empty(h.Groups["generator"][3].Shape);
        Assert.Equal(64, h.PayloadSha256.Length);
        Assert.NotEqual(new string('0', 64), h.PayloadSha256);   // the placeholder was patched
        var bytes = File.ReadAllBytes(path);
        Assert.Equal("SGLCKPT1"u8.ToArray(), bytes[..8]);
        Assert.Equal(bytes.Length - 12 - BitConverter.ToUInt32(bytes, 8), h.PayloadLength);
        Assert.Equal([path], Directory.GetFiles(dir));
    }

    [Fact]
    public void ReadHeader_matches_Load_without_reading_the_payload()
    {
        string path = SaveSample();
        var header = NativeCheckpoint.ReadHeader(path);
        using var loaded = NativeCheckpoint.Load(path);
        Assert.Equal(loaded.Header.PayloadSha256, header.PayloadSha256);
        Assert.Equal("h\u00e9llo \"quoted\"", (string)header.Config!["note"]!);
        Assert.Null(NativeCheckpoint.ReadHeader(Save(null)).Config);
    }

    string Save(JsonObject? config)
    {
        string path = Path.Combine(dir, "noconfig.sgl");
        NativeCheckpoint.Save(path, "optims", 5, config, RandomNets());
        return path;
    }

    [Fact]
    public void Flipped_payload_byte_is_a_checksum_error()
    {
        string path = SaveSample();
        var bytes = File.ReadAllBytes(path);
        bytes[^10] ^= 0x01;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CheckpointException>(() => NativeCheckpoint.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("checksum", e.Message);
    }

    [Fact]
    public void Truncated_files_are_refused_at_every_cut()
    {
        string path = SaveSample();
        var bytes = File.ReadAllBytes(path);
        string cut = Path.Combine(dir, "cut.sgl");
        foreach (int n in new[] { 0, 3, 8, 11, 12, 40, bytes.Length / 2, bytes.Length - 1 })
        {
            File.WriteAllBytes(cut, bytes[..n]);
            var e = Assert.Throws<CheckpointException>(() => NativeCheckpoint.Load(cut));
            Assert.Contains(cut, e.Message);
        }
        File.WriteAllBytes(cut, [.. bytes, 0]);
        Assert.Contains("unexpected bytes", Assert.Throws<CheckpointException>(() => NativeCheckpoint.Load(cut)).Message);
    }

    [Fact]
    public void Wrong_kind_and_foreign_files_are_refused_with_the_file_name()
    {
        string png = Path.Combine(dir, "image.sgl");
        File.WriteAllBytes(png, [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]);
        var e = Assert.Throws<CheckpointException>(() => NativeCheckpoint.Load(png));
        Assert.Contains(png, e.Message);
        Assert.Contains("PNG", e.Message);

        string empty = Path.Combine(dir, "empty.sgl");
        File.WriteAllBytes(empty, []);
        Assert.Contains("empty", Assert.Throws<CheckpointException>(() => NativeCheckpoint.Load(empty)).Message);

        string zip = Path.Combine(dir, "torch.ckpt");
        OfficialCheckpoint.Write(zip, RandomNets());
        e = Assert.Throws<CheckpointException>(() => NativeCheckpoint.Load(zip));
        Assert.Contains(zip, e.Message);
        Assert.Contains("OfficialCheckpoint.Read", e.Message);

        string ours = SaveSample();
        e = Assert.Throws<CheckpointException>(() => OfficialCheckpoint.Read(ours));
        Assert.Contains(ours, e.Message);
        Assert.Contains("NativeCheckpoint.Load", e.Message);
        e = Assert.Throws<CheckpointException>(() => NativeCheckpoint.Load(ours, expectedKind: "optims"));
        Assert.Contains("'nets'", e.Message);

        Assert.Contains(png, Assert.Throws<CheckpointException>(() => OfficialCheckpoint.Read(png)).Message);
        Assert.Contains("empty", Assert.Throws<CheckpointException>(() => OfficialCheckpoint.Read(empty)).Message);
    }

    [Fact]
    public void Corrupt_header_is_refused()
    {
        string path = SaveSample();
        var bytes = File.ReadAllBytes(path);
        var broken = (byte[])bytes.Clone();
        broken[12] = (byte)'#';   // the JSON's opening brace
        File.WriteAllBytes(path, broken);
        var e = Assert.Throws<CheckpointException>(() => NativeCheckpoint.ReadHeader(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("JSON", e.Message);

        broken = (byte[])bytes.Clone();
        broken[14] = (byte)'#';   // "format" becomes "#ormat"
        File.WriteAllBytes(path, broken);
        e = Assert.Throws<CheckpointException>(() => NativeCheckpoint.Load(path));
        Assert.Contains("'format'", e.Message);
    }
}
