using StarGanLab.Checkpoints;
using Xunit;
using static StarGanLab.Tests.Checkpoints.CheckpointTestSupport;

namespace StarGanLab.Tests.Checkpoints;

/// <summary>Reading the real PyTorch fixtures, checked against the statistics Python computed for them.</summary>
public class OfficialCheckpointReadTests
{
    [FixtureTheory("basic")]
    [InlineData("000000_nets")]
    [InlineData("000000_nets_ema")]
    [InlineData("000001_nets")]
    [InlineData("000001_nets_ema")]
    public void Zip_nets_match_python_stats_and_key_list(string name)
    {
        var nets = OfficialCheckpoint.Read(Fixtures.Parity("basic", name + ".ckpt"));
        try
        {
            var stats = Stats("basic").GetProperty(name);
            Assert.Equal(stats.EnumerateObject().Select(p => p.Name), nets.Keys);
            foreach (var (net, sd) in nets)
            {
                var netStats = stats.GetProperty(net);
                Assert.Equal(netStats.EnumerateObject().Select(p => p.Name).ToList(), sd.Keys.ToList());
                foreach (var (key, t) in sd)
                {
                    var s = netStats.GetProperty(key);
                    using var d = t.to(TorchSharp.torch.ScalarType.Float64);
                    AssertClose(s.GetProperty("sum").GetDouble(), d.sum().item<double>(), $"{net}.{key} sum", s.GetProperty("abs_sum").GetDouble());
                    AssertClose(s.GetProperty("abs_sum").GetDouble(), d.abs().sum().item<double>(), $"{net}.{key} abs_sum");
                    AssertClose(s.GetProperty("absmax").GetDouble(), t.numel() == 0 ? 0 : d.abs().max().item<double>(), $"{net}.{key} absmax");
                    Assert.Equal(s.GetProperty("numel").GetInt64(), t.numel());
                }
            }
            var expected = KeyList("basic").Where(r => nets.ContainsKey(r.Net)).ToList();
            var actual = nets.SelectMany(n => n.Value.Select(kv => (n.Key, kv.Key, kv.Value.shape, DTypeName(kv.Value)))).ToList();
            Assert.Equal(expected.Count, actual.Count);
            for (int i = 0; i < expected.Count; i++)
            {
                Assert.Equal((expected[i].Net, expected[i].Key, expected[i].DType), (actual[i].Item1, actual[i].Item2, actual[i].Item4));
                Assert.Equal(expected[i].Shape, actual[i].shape);
            }
        }
        finally { Dispose(nets); }
    }

    /// <summary>1e-6 relative; a sum that cancels to ~0 is compared relative to the abs_sum instead.</summary>
    static void AssertClose(double expected, double actual, string what, double? scale = null)
    {
        double tol = 1e-6 * Math.Max(Math.Abs(scale ?? expected), 1e-12) + 1e-12;
        Assert.True(Math.Abs(expected - actual) <= tol, $"{what}: expected {expected:R}, got {actual:R}");
    }

    [FixtureFact("hpf/000000_generator.legacy.ckpt")]
    public void Legacy_and_zip_generator_checkpoints_are_bit_identical()
    {
        var zip = OfficialCheckpoint.Read(Fixtures.Parity("hpf", "000000_generator.ckpt"));
        var legacy = OfficialCheckpoint.Read(Fixtures.Parity("hpf", "000000_generator.legacy.ckpt"));
        try
        {
            Assert.Equal(CheckpointFormat.PyTorchLegacy, CheckpointFormats.Detect(Fixtures.Parity("hpf", "000000_generator.legacy.ckpt")));
            Assert.Equal(CheckpointFormat.PyTorchZip, CheckpointFormats.Detect(Fixtures.Parity("hpf", "000000_generator.ckpt")));
            Assert.Equal(93, zip["generator"].Count);
            AssertBitIdentical(zip, legacy);
        }
        finally { Dispose(zip); Dispose(legacy); }
    }

    [FixtureFact("hpf/wing.ckpt")]
    public void Wing_state_dict_is_readable_with_int64_buffers()
    {
        var sd = OfficialCheckpoint.ReadStateDict(Fixtures.Parity("hpf", "wing.ckpt"));
        try
        {
            Assert.Equal(336, sd.Count);
            var nbt = sd["bn1.num_batches_tracked"];
            Assert.Equal(TorchSharp.torch.ScalarType.Int64, nbt.dtype);
            Assert.Empty(nbt.shape);
            var fan = KeyList("hpf").Where(r => r.Net == "fan").ToList();
            Assert.Equal(fan.Select(r => r.Key), sd.Keys);
            Assert.Equal(fan.Select(r => r.DType), sd.Values.Select(DTypeName));
        }
        finally { foreach (var t in sd.Values) t.Dispose(); }
    }

    [FixtureFact("basic/000000_nets.ckpt")]
    public void Our_reader_agrees_with_PyBridge_on_the_basic_fixture()
    {
        string path = Fixtures.Parity("basic", "000000_nets.ckpt");
        var ours = OfficialCheckpoint.Read(path);
        var theirs = TorchSharp.PyBridge.PyTorchUnpickler.UnpickleStateDict(path);
        try
        {
            Assert.Equal(ours.Count, theirs.Count);
            foreach (var (net, sd) in ours)
            {
                var t = (System.Collections.Hashtable)theirs[net]!;
                AssertBitIdentical(sd, sd.Keys.ToDictionary(k => k, k => (TorchSharp.torch.Tensor)t[k]!), net);
            }
        }
        finally { Dispose(ours); }
    }

    [Fact]
    public void Flat_dict_of_tensors_comes_back_as_the_single_net_named_empty()
    {
        string dir = TempDir();
        string path = Path.Combine(dir, "flat.ckpt");
        var data = new byte[16];
        BitConverter.GetBytes(-1.25f).CopyTo(data, 0);
        PickleBuilder.WriteZip(path, ("flat/data.pkl", PickleBuilder.StateDict(4, 4, 1, flat: true)), ("flat/data/0", data), ("flat/version", "3\n"u8.ToArray()));
        var nets = OfficialCheckpoint.Read(path);
        Assert.Equal([""], nets.Keys);
        Assert.Equal([-1.25f, 0f, 0f, 0f], nets[""]["w"].data<float>().ToArray());
        Dispose(nets);
        using var w = OfficialCheckpoint.ReadStateDict(path)["w"];
        Assert.Equal(4, w.numel());
        Assert.Contains("has no state dict 'generator'", Assert.Throws<CheckpointException>(() => OfficialCheckpoint.ReadStateDict(path, "generator")).Message);
        Directory.Delete(dir, true);
    }
}
