using StarGanLab.Config;
using StarGanLab.Experiments;
using StarGanLab.Networks;
using StarGanLab.Runs;
using StarGanLab.Training;
using Xunit;

namespace StarGanLab.Tests.Training;

/// <summary>The memory estimate (issue 17, case 4): exact parameter counts, calibrated against measured peaks, and a
/// config that cannot fit is refused before its run folder exists.</summary>
public class MemoryEstimateTests : TorchTest
{
    const double GiB = 1L << 30;

    static long Built(TorchSharp.torch.nn.Module? module) => module is null ? 0 : module.parameters().Sum(p => p.numel());

    public static TheoryData<string, ModelConfig> Variants() => new()
    {
        { "official, 16 px", new ModelConfig(ImgSize: 16, NumDomains: 3, LatentDim: 8, StyleDim: 16, WidthConst: 128, MaxConvDim: 16, MappingHidden: 32) },
        { "official, 32 px, masks", new ModelConfig(ImgSize: 32, NumDomains: 2, LatentDim: 4, StyleDim: 8, WidthConst: 256, MaxConvDim: 24, MappingHidden: 16, WHpf: 1) },
        { "concat injection", new ModelConfig(ImgSize: 16, NumDomains: 3, LatentDim: 8, StyleDim: 16, WidthConst: 128, MaxConvDim: 16, MappingHidden: 32, Injection: InjectionMode.Concat, StyleSource: StyleCode.Domain) },
        { "latent style source", new ModelConfig(ImgSize: 16, NumDomains: 2, LatentDim: 8, StyleDim: 16, WidthConst: 128, MaxConvDim: 16, MappingHidden: 32, StyleSource: StyleCode.Latent) },
        { "classifier discriminator", new ModelConfig(ImgSize: 32, NumDomains: 4, LatentDim: 8, StyleDim: 16, WidthConst: 512, MaxConvDim: 32, MappingHidden: 32, Discriminator: DiscriminatorHead.Classifier) },
    };

    [Theory, MemberData(nameof(Variants))]
    public void Parameter_counts_from_the_config_equal_the_built_networks(string variant, ModelConfig model)
    {
        var counted = NetworkSizes.Of(model);
        using var nets = StarGanNets.Create(model, withDiscriminator: true);
        Assert.True((Built(nets.Generator), Built(nets.MappingNetwork), Built(nets.StyleEncoder), Built(nets.Discriminator))
            == (counted.Generator, counted.MappingNetwork, counted.StyleEncoder, counted.Discriminator), variant);
    }

    [Fact]
    public void The_fan_parameter_count_is_the_built_fans()
    {
        using var fan = new Fan();
        Assert.Equal(NetworkSizes.FanParameters, Built(fan));
    }

    /// <summary>Peak RSS that `stargan bench` measured (docs/performance.md), the data the estimate was fitted to.</summary>
    [Theory]
    [InlineData(64, 1, 2.4)]
    [InlineData(64, 4, 3.4)]
    [InlineData(64, 8, 4.8)]
    [InlineData(128, 1, 2.7)]
    [InlineData(128, 4, 5.1)]
    [InlineData(128, 8, 7.9)]
    [InlineData(256, 1, 3.6)]
    [InlineData(256, 4, 8.1)]
    [InlineData(256, 8, 13.9)]
    public void The_estimate_is_within_a_tenth_of_the_measured_peak_at_official_widths(int imgSize, int batch, double measuredGiB)
    {
        // bench trains on random tensors: no data queue
        var cfg = new ExperimentConfig("bench") { Model = new ModelConfig(ImgSize: imgSize, NumDomains: 2), Train = new TrainConfig(BatchSize: batch) };
        var e = MemoryEstimate.Of(cfg);
        double estimated = (e.Total - e.Data) / GiB;
        Assert.InRange(estimated / measuredGiB, 0.9, 1.1);
    }

    [Fact]
    public void The_quickstart_at_16_px_is_within_a_tenth_of_its_measured_290_MiB()
    {
        var cfg = ConfigLoader.Load(Path.Combine(Fixtures.RepoRoot, "configs", "quickstart.yaml"), ["model.img_size=16", "train.batch_size=4"]);
        var e = MemoryEstimate.Of(cfg);
        Assert.InRange((e.Total - e.Data) / (290.0 * (1 << 20)), 0.9, 1.1);
    }

    [Fact]
    public void The_test_suites_tiny_configs_need_well_under_a_gigabyte()
    {
        var e = MemoryEstimate.Of(TinyRuns.Config(TinyRuns.TempRoot(), totalIters: 1));
        Assert.InRange(e.Total, 100L << 20, 1L << 30);
        e.RequireFits(TinyRuns.Config("runs", 1));
    }

    [Fact]
    public void A_config_too_big_for_the_machine_is_refused_before_its_run_folder_exists()
    {
        string root = TinyRuns.TempRoot();
        var tiny = TinyRuns.Config(root, totalIters: 1);
        var huge = tiny with { Model = new ModelConfig(ImgSize: 256, NumDomains: 3), Train = tiny.Train with { BatchSize = 4096 } };
        Assert.True(MemoryEstimate.Of(huge).Total > MemoryEstimate.Available);

        var e = Assert.Throws<InvalidOperationException>(() => Experiment.Run(huge with { Run = new RunConfig(Root: root, Name: "huge") }));
        Assert.Contains("this config needs about", e.Message);
        Assert.Contains("activations of one step", e.Message);
        Assert.Contains("train.batch_size (4096)", e.Message);
        Assert.False(Directory.Exists(Path.Combine(root, "huge")));

        // a sweep places its run folder itself and starts the session directly: refused before config.yaml is written
        var run = RunDirectory.Create(root, "placed", overwrite: false);
        Assert.Throws<InvalidOperationException>(() => TrainingSession.Start(huge, run, _ => { }).Dispose());
        Assert.Empty(Directory.EnumerateFileSystemEntries(run.Path));
    }

    [Fact]
    public void A_resume_whose_overrides_cannot_fit_is_refused_and_leaves_the_config_as_it_was()
    {
        string root = TinyRuns.TempRoot();
        var cfg = TinyRuns.Config(root, totalIters: 1, saveEvery: 1);
        var run = RunDirectory.Create(root, "r", false);
        using (var s = TrainingSession.Start(cfg, run, _ => { }))
            s.Train([new StarGanLab.Experiments.Hooks.CheckpointHook(1, 0)]);
        string before = File.ReadAllText(run.ConfigFile);
        Assert.Throws<InvalidOperationException>(() => TrainingSession.Resume(run, ["train.batch_size=65536", "model.img_size=256", "model.width_const=16384", "model.max_conv_dim=512"], _ => { }).Dispose());
        Assert.Equal(before, File.ReadAllText(run.ConfigFile));
    }
}
