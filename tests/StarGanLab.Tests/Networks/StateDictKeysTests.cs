using StarGanLab.Networks;
using StarGanLab.Parity;
using Xunit;

namespace StarGanLab.Tests.Networks;

/// <summary>Our state_dict keys, order, shapes and dtypes equal the official ones (state_dict_keys.txt).</summary>
public class StateDictKeysTests : TorchTest
{
    [ParityFact("basic")] public void Basic_networks_match_the_official_key_list() => AssertKeys("basic");
    [ParityFact("hpf")] public void High_pass_generator_matches_the_official_key_list() => AssertKeys("hpf");

    static void AssertKeys(string fixture)
    {
        var fx = new ParityFixture(Fixtures.Parity(fixture));
        var expected = File.ReadLines(fx.PathOf("state_dict_keys.txt"))
            .Where(l => !l.StartsWith('#') && l.Length > 0)
            .Select(l => l.Split('\t'))
            .GroupBy(p => p[0])
            .ToDictionary(g => g.Key, g => g.Select(p => $"{p[1]} {p[2].Replace(" ", "")} {p[3]}").ToList());
        using var nets = StarGanNets.Create(fx.Model, withDiscriminator: true);
        int compared = 0;
        foreach (var (name, module) in nets.Modules)
        {
            if (!expected.TryGetValue(name, out var want)) continue;
            var ours = module.state_dict()
                .Select(kv => $"{kv.Key} [{string.Join(",", kv.Value.shape)}] {DtypeName(kv.Value.dtype)}")
                .ToList();
            Assert.Equal(want, ours);
            compared++;
        }
        Assert.True(compared >= 1, "no network of the fixture was compared");
    }

    static string DtypeName(TorchSharp.torch.ScalarType t) => t switch
    {
        TorchSharp.torch.ScalarType.Float32 => "float32",
        TorchSharp.torch.ScalarType.Int64 => "int64",
        _ => t.ToString(),
    };
}
