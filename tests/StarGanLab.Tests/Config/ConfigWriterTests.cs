using Xunit;
using StarGanLab.Config;

namespace StarGanLab.Tests.Config;

public class ConfigWriterTests
{
    static readonly ExperimentConfig Unusual = new ExperimentConfig("round \"trip\": x", Seed: -3, Device: "cuda:1") with
    {
        Model = new ModelConfig(ImgSize: 64, WHpf: 0.5),
        Data = new DataConfig(Root: "C:\\data\\with space", ValRoot: "true", MaxPixels: 10_000_000_000),
        Optim = new OptimConfig(Lr: 1.0 / 3, FLr: 1e-7),
        Train = new TrainConfig(OnNan: "rollback"),
        Run = new RunConfig(Root: "0123", Name: "r1"),
        Fan = new FanConfig("expr/checkpoints/wing.ckpt"),
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ToYaml_loads_back_to_an_equal_record(bool unusual)
    {
        var original = unusual ? Unusual : ConfigLoader.Load(Path.Combine(ConfigTestSupport.RepoRoot(), "configs", "celeba_hq.yaml"));
        var yaml = ConfigWriter.ToYaml(original);
        Assert.Equal(original, ConfigLoader.Parse(yaml, "resolved.yaml"));
    }

    [Fact]
    public void ToYaml_writes_every_key_in_schema_order()
    {
        var yaml = ConfigWriter.ToYaml(new ExperimentConfig("x"));
        var keys = yaml.Split('\n').Where(l => l.Length > 0).Select(l => l.Split(':')[0].Trim()).ToList();
        Assert.Equal(["name", "seed", "device", "threads", "preset", "kernels", "model"], keys.Take(7));
        Assert.Contains("  w_hpf: 0", yaml);
        Assert.Contains("  f_lr: 1e-06", yaml);
        Assert.Contains("name: \"x\"", yaml);
        Assert.DoesNotContain("...", yaml);
    }

    [Fact]
    public void Flatten_lists_every_leaf_as_dotted_key_and_invariant_value()
    {
        var pairs = ConfigWriter.Flatten(new ExperimentConfig("x") with { Train = new TrainConfig(BatchSize: 4) });
        Assert.Equal(("name", "x"), pairs[0]);
        Assert.Contains(("train.batch_size", "4"), pairs);
        Assert.Contains(("optim.lr", "0.0001"), pairs);
        Assert.Contains(("model.w_hpf", "0"), pairs);
        Assert.Contains(("fan.wing_path", ""), pairs);
        Assert.Equal(SectionSchema.Root.LeafPaths(), pairs.Select(p => p.Key));
    }
}
