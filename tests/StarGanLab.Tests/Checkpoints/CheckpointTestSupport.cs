using System.Text.Json;
using StarGanLab.Native;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Checkpoints;

/// <summary>Temp folders, tensor comparison and the parity stats files, shared by the checkpoint tests.</summary>
internal static class CheckpointTestSupport
{
    public static string TempDir()
    {
        TorchRuntime.EnsureLoaded();
        string d = Path.Combine(Path.GetTempPath(), "sgl-ckpt-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    /// <summary>Same keys in the same order, same dtype, shape and bytes.</summary>
    public static void AssertBitIdentical(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual, string what)
    {
        Assert.Equal(expected.Keys.ToList(), actual.Keys.ToList());
        foreach (var (k, e) in expected)
        {
            var a = actual[k];
            Assert.True(e.dtype == a.dtype, $"{what} '{k}': dtype {e.dtype} vs {a.dtype}");
            Assert.True(e.shape.SequenceEqual(a.shape), $"{what} '{k}': shape [{string.Join(",", e.shape)}] vs [{string.Join(",", a.shape)}]");
            Assert.True(Bytes(e).AsSpan().SequenceEqual(Bytes(a)), $"{what} '{k}': bytes differ");
        }
    }

    public static byte[] Bytes(Tensor t)
    {
        using var ms = new MemoryStream();
        StarGanLab.Checkpoints.TensorBytes.Write(t, ms);
        return ms.ToArray();
    }

    public static void AssertBitIdentical(
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> expected,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> actual)
    {
        Assert.Equal(expected.Keys.ToList(), actual.Keys.ToList());
        foreach (var (net, sd) in expected) AssertBitIdentical(sd, actual[net], net);
    }

    public static void Dispose(IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> nets)
    {
        foreach (var sd in nets.Values) foreach (var t in sd.Values) t.Dispose();
    }

    /// <summary>checkpoint_stats.json: checkpoint -> net -> key -> {sum, abs_sum, l2, absmax, numel}.</summary>
    public static JsonElement Stats(string set) =>
        JsonDocument.Parse(File.ReadAllText(Fixtures.Parity(set, "checkpoint_stats.json"))).RootElement;

    /// <summary>state_dict_keys.txt rows: (net, key, shape, dtype), comments skipped.</summary>
    public static List<(string Net, string Key, long[] Shape, string DType)> KeyList(string set) =>
        File.ReadAllLines(Fixtures.Parity(set, "state_dict_keys.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t'))
            .Select(f => (f[0], f[1], f[2].Trim('[', ']').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray(), f[3]))
            .ToList();

    public static string DTypeName(Tensor t) => t.dtype switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Int64 => "int64",
        ScalarType.Float64 => "float64",
        _ => t.dtype.ToString(),
    };

    /// <summary>Small random state dicts of several dtypes and ranks, including a 0-d int64 like num_batches_tracked.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> RandomNets(int seed = 1)
    {
        TorchRuntime.EnsureLoaded();
        var g = new torch.Generator((ulong)seed);
        var a = new OrderedDictionary<string, Tensor>
        {
            ["conv.weight"] = torch.randn([4, 3, 3, 3], generator: g),
            ["conv.bias"] = torch.randn([4], generator: g),
            ["bn.running_mean"] = torch.randn([4], generator: g, dtype: ScalarType.Float64),
            ["bn.num_batches_tracked"] = torch.tensor(7L),
            ["half"] = torch.randn([5], generator: g).to(ScalarType.Float16),
            ["ids"] = torch.randint(-1000, 1000, [2, 3], dtype: ScalarType.Int32, generator: g),
            ["mask"] = torch.tensor(new[] { true, false, true }),
            ["empty"] = torch.empty([0, 3]),
        };
        var b = new OrderedDictionary<string, Tensor>
        {
            ["fc.weight"] = torch.randn([300, 2], generator: g).t(),   // non-contiguous on purpose
            ["fc.bias"] = torch.randn([300], generator: g),
        };
        return new OrderedDictionary<string, IReadOnlyDictionary<string, Tensor>> { ["generator"] = a, ["mapping_network"] = b };
    }
}
