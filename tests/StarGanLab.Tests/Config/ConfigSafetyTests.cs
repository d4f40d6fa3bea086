using Xunit;
using System.Text;
using StarGanLab.Config;
using static StarGanLab.Tests.Config.ConfigTestSupport;

namespace StarGanLab.Tests.Config;

public class ConfigSafetyTests
{
    [Fact]
    public void Billion_laughs_is_refused_quickly()
    {
        // Ten levels of ten aliases each: 10^10 nodes if expanded.
        var sb = new StringBuilder(Valid).Append("l0: &l0 [a, a, a, a, a, a, a, a, a, a]\n");
        for (var i = 1; i < 10; i++)
            sb.Append($"l{i}: &l{i} [{string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10))}]\n");

        // The refusal names the node budget it stopped at, so the expansion never ran to its 10^10 nodes.
        var e = Fails(sb.ToString());
        var p = Assert.Single(e.Problems);
        Assert.Contains("aliases expand to more than 100000 nodes", p.Message);
    }

    [Fact]
    public void Mapping_alias_bomb_is_refused_too()
    {
        var sb = new StringBuilder(Valid).Append("x0: &x0 {a: 1, b: 1, c: 1, d: 1, e: 1, f: 1, g: 1, h: 1}\n");
        for (var i = 1; i < 8; i++)
            sb.Append($"x{i}: &x{i} {{a: *x{i - 1}, b: *x{i - 1}, c: *x{i - 1}, d: *x{i - 1}, e: *x{i - 1}, f: *x{i - 1}, g: *x{i - 1}, h: *x{i - 1}}}\n");
        Assert.Contains("aliases expand", Assert.Single(Fails(sb.ToString()).Problems).Message);
    }

    [Fact]
    public void Ordinary_aliases_still_work()
    {
        var c = ConfigLoader.Parse(Valid + "train: &t {batch_size: 4}\nseed: &s 5\nthreads: *s\n", "t.yaml");
        Assert.Equal((4, 5, 5), (c.Train.BatchSize, c.Seed, c.Threads));
    }

    [Fact]
    public void Self_referencing_anchor_is_refused()
    {
        var e = Fails(Valid + "loop: &r {again: *r}\n");
        Assert.NotEmpty(e.Problems);
    }

    [Fact]
    public void Oversized_file_is_refused_before_parsing()
    {
        using var dir = new TempDir();
        var big = dir.Write("big.yaml", Valid + "# " + new string('x', 1 << 20) + "\n");
        var p = Assert.Single(Assert.Throws<ConfigException>(() => ConfigLoader.Load(big)).Problems);
        Assert.Contains("larger than the 1048576-byte limit", p.Message);
        Assert.Contains("larger than", Assert.Single(Fails(File.ReadAllText(big)).Problems).Message);
    }

    [Fact]
    public void Deep_nesting_is_refused_without_recursing()
    {
        var e = Fails(Valid + "x: " + new string('[', 100_000) + new string(']', 100_000) + "\n");
        Assert.Contains("nested deeper than 32", Assert.Single(e.Problems).Message);
    }

    [Fact]
    public void Type_tags_construct_nothing_and_are_refused()
    {
        var e = Fails(Valid + "run: !!python/object:os.system {root: x}\n");
        Assert.Contains(e.Problems, p => p.KeyPath == "run" && p.Message.Contains("not supported"));
    }
}
