using Xunit;
using StarGanLab.Config;

namespace StarGanLab.Tests.Config;

public class ConfigCompositionTests
{
    [Fact]
    public void Base_is_loaded_first_and_the_file_overrides_it_key_by_key()
    {
        using var dir = new TempDir();
        dir.Write("base.yaml", "name: base\nseed: 1\ntrain:\n  batch_size: 16\n  total_iters: 50\ndata: {root: a}\n");
        dir.Write("mid.yaml", "base: base.yaml\nseed: 2\ntrain:\n  batch_size: 4\n");
        var top = dir.Write("exp/top.yaml", "base: ../mid.yaml\nname: top\ntrain:\n  print_every: 5\n");

        var c = ConfigLoader.Load(top, options: new ConfigLoadOptions(AllowedRoot: dir.Path));

        Assert.Equal(("top", 2), (c.Name, c.Seed));
        Assert.Equal((4, 50, 5), (c.Train.BatchSize, c.Train.TotalIters, c.Train.PrintEvery));
        Assert.Equal("a", c.Data.Root);
    }

    [Fact]
    public void Overrides_beat_the_file_and_apply_in_order()
    {
        var c = ConfigLoader.Parse(ConfigTestSupport.Valid + "train:\n  batch_size: 16\n", "t.yaml",
            ["train.batch_size=4", "loss.lambda_ds=0", "run.name=x", "model.w_hpf=1", "fan.wing_path=w.ckpt", "loss.lambda_ds=0.5"]);
        Assert.Equal(4, c.Train.BatchSize);
        Assert.Equal(0.5, c.Loss.LambdaDs);
        Assert.Equal("x", c.Run.Name);
        Assert.Equal(1.0, c.Model.WHpf);
        Assert.Equal("w.ckpt", c.Fan.WingPath);
    }

    [Fact]
    public void Override_values_parse_as_the_target_type()
    {
        var c = ConfigLoader.Parse(ConfigTestSupport.Valid, "t.yaml",
            ["data.max_pixels=10000000000", "optim.lr=2e-4", "device=cuda:1", "run.root=007"]);
        Assert.Equal(10_000_000_000L, c.Data.MaxPixels);
        Assert.Equal(2e-4, c.Optim.Lr);
        Assert.Equal("cuda:1", c.Device);
        Assert.Equal("007", c.Run.Root);
    }

    [Theory]
    [InlineData("train.batch_size=eight", "train.batch_size", "expected an integer, got 'eight'")]
    [InlineData("optim.lr=fast", "optim.lr", "expected a number, got 'fast'")]
    [InlineData("train.batchsize=4", "train.batchsize", "did you mean 'train.batch_size'")]
    [InlineData("train.batch_size", "", "expected key.path=value")]
    [InlineData("seed.x=1", "seed", "expected an integer, got a mapping")]
    [InlineData("name.x=1", "name", "is not a mapping")]
    public void Override_errors_name_the_override(string set, string keyPath, string wording)
    {
        var e = ConfigTestSupport.Fails(ConfigTestSupport.Valid, [set]);
        var p = Assert.Single(e.Problems);
        Assert.Equal("--set " + set, p.File);
        Assert.Equal(keyPath, p.KeyPath);
        Assert.Contains(wording, p.Message);
        Assert.Contains("--set " + set, e.Message);
    }

    [Fact]
    public void Include_cycle_is_reported_with_the_chain()
    {
        using var dir = new TempDir();
        dir.Write("a.yaml", "base: b.yaml\nname: a\n");
        dir.Write("b.yaml", "base: c.yaml\n");
        var c = dir.Write("c.yaml", "base: a.yaml\n");
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(Path.Combine(dir.Path, "a.yaml")));
        var p = Assert.Single(e.Problems);
        Assert.Equal(("base", 1), (p.KeyPath, p.Line));
        Assert.Matches(@"include cycle: .*a\.yaml -> .*b\.yaml -> .*c\.yaml -> .*a\.yaml", p.Message);
        Assert.EndsWith("c.yaml", p.File);
    }

    [Fact]
    public void Base_outside_the_allowed_root_is_refused_unless_allowed()
    {
        using var dir = new TempDir();
        dir.Write("shared.yaml", "name: shared\ndata: {root: r}\n");
        var top = dir.Write("configs/top.yaml", "base: ../shared.yaml\n");

        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Load(top));
        var p = Assert.Single(e.Problems);
        Assert.Equal(("base", 1, 7), (p.KeyPath, p.Line, p.Column));
        Assert.Contains("outside the allowed root", p.Message);

        Assert.Equal("shared", ConfigLoader.Load(top, options: new ConfigLoadOptions(AllowOutsideIncludes: true)).Name);
        Assert.Equal("shared", ConfigLoader.Load(top, options: new ConfigLoadOptions(AllowedRoot: dir.Path)).Name);
    }

    [Fact]
    public void Missing_base_file_is_reported_at_the_base_key()
    {
        using var dir = new TempDir();
        var top = dir.Write("top.yaml", "name: t\nbase: nope.yaml\n");
        var p = Assert.Single(Assert.Throws<ConfigException>(() => ConfigLoader.Load(top)).Problems);
        Assert.Equal(("base", 2), (p.KeyPath, p.Line));
        Assert.Contains("base file not found", p.Message);
    }

    [Fact]
    public void Errors_in_a_base_file_point_into_that_file()
    {
        using var dir = new TempDir();
        dir.Write("base.yaml", "name: b\ndata: {root: r}\ntrain:\n  batch_size: eight\n");
        var top = dir.Write("top.yaml", "base: base.yaml\n");
        var p = Assert.Single(Assert.Throws<ConfigException>(() => ConfigLoader.Load(top)).Problems);
        Assert.EndsWith("base.yaml", p.File);
        Assert.Equal(("train.batch_size", 4, 15), (p.KeyPath, p.Line, p.Column));
    }
}
