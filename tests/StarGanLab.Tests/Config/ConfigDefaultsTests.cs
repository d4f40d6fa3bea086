using Xunit;
using StarGanLab.Config;

namespace StarGanLab.Tests.Config;

public class ConfigDefaultsTests
{
    [Fact]
    public void Defaults_equal_the_official_main_py_arguments()
    {
        var c = new ExperimentConfig("x");
        Assert.Equal(777, c.Seed);
        Assert.Equal((256, 2, 16, 64, 512), (c.Model.ImgSize, c.Model.NumDomains, c.Model.LatentDim, c.Model.StyleDim, c.Model.MappingHidden));
        Assert.Equal(16384, c.Model.WidthConst);
        Assert.Equal(512, c.Model.MaxConvDim);
        Assert.Equal((1.0, 1.0, 1.0, 1.0, 100000), (c.Loss.LambdaReg, c.Loss.LambdaSty, c.Loss.LambdaDs, c.Loss.LambdaCyc, c.Loss.DsIter));
        Assert.Equal((1e-4, 1e-6, 0.0, 0.99, 1e-4), (c.Optim.Lr, c.Optim.FLr, c.Optim.Beta1, c.Optim.Beta2, c.Optim.WeightDecay));
        Assert.Equal(0.999, c.Optim.EmaBeta);
        Assert.Equal((8, 32, 100000), (c.Train.BatchSize, c.Train.ValBatchSize, c.Train.TotalIters));
        Assert.Equal((10, 5000, 10000, 50000), (c.Train.PrintEvery, c.Train.SampleEvery, c.Train.SaveEvery, c.Train.EvalEvery));
        // Deliberate deviation: official w_hpf defaults to 1 (CelebA-HQ); 0 here needs no FAN.
        Assert.Equal(0.0, c.Model.WHpf);
        // Not an official argument: bfloat16 is opt-in, float32 as the official code computes.
        Assert.Equal(ComputePrecision.Fp32, c.Train.Precision);
    }

    [Fact]
    public void Omitted_keys_take_the_record_defaults()
    {
        var c = ConfigLoader.Parse("name: x\ndata: {root: d}\n", "t.yaml");
        Assert.Equal(new ExperimentConfig("x", Data: new DataConfig(Root: "d")), c);
    }

    [Fact]
    public void Yaml_keys_are_snake_case_constructor_names()
    {
        var paths = SectionSchema.Root.LeafPaths().ToList();
        Assert.Contains("model.w_hpf", paths);
        Assert.Contains("optim.f_lr", paths);
        Assert.Contains("optim.beta1", paths);
        Assert.Contains("train.batch_size", paths);
        Assert.Contains("fan.wing_path", paths);
        Assert.Equal(paths.Count, paths.Distinct().Count());
    }

    [Theory]
    [InlineData("quickstart.yaml")]
    [InlineData("afhq.yaml")]
    [InlineData("celeba_hq.yaml")]
    [InlineData("showcase.yaml")]
    public void Shipped_config_loads(string file)
    {
        var c = ConfigLoader.Load(Path.Combine(ConfigTestSupport.RepoRoot(), "configs", file));
        Assert.Equal(Path.GetFileNameWithoutExtension(file), c.Name);
    }

    [Fact]
    public void Shipped_configs_hold_the_paper_settings()
    {
        var dir = Path.Combine(ConfigTestSupport.RepoRoot(), "configs");
        var afhq = ConfigLoader.Load(Path.Combine(dir, "afhq.yaml"));
        Assert.Equal((256, 3, 0.0), (afhq.Model.ImgSize, afhq.Model.NumDomains, afhq.Model.WHpf));
        Assert.Equal((1.0, 1.0, 2.0, 1.0), (afhq.Loss.LambdaReg, afhq.Loss.LambdaSty, afhq.Loss.LambdaDs, afhq.Loss.LambdaCyc));
        Assert.Equal(("data/afhq/train", "data/afhq/val"), (afhq.Data.Root, afhq.Data.ValRoot));

        var celeba = ConfigLoader.Load(Path.Combine(dir, "celeba_hq.yaml"));
        Assert.Equal((256, 2, 1.0), (celeba.Model.ImgSize, celeba.Model.NumDomains, celeba.Model.WHpf));
        Assert.Equal("expr/checkpoints/wing.ckpt", celeba.Fan.WingPath);
        Assert.Equal(1.0, celeba.Loss.LambdaDs);

        var quick = ConfigLoader.Load(Path.Combine(dir, "quickstart.yaml"));
        Assert.Equal(16, quick.Model.WidthConst / quick.Model.ImgSize);   // small enough for ~0.3 s/iter on 2 cores
        Assert.Equal(("synthetic", "cpu"), (quick.Data.Source, quick.Device));
        Assert.Equal(quick.Train.TotalIters, quick.Loss.DsIter);
    }

    [Fact]
    public void The_showcase_is_the_quickstart_with_the_changes_docs_results_md_gives_reasons_for()
    {
        var dir = Path.Combine(ConfigTestSupport.RepoRoot(), "configs");
        var quick = ConfigWriter.Flatten(ConfigLoader.Load(Path.Combine(dir, "quickstart.yaml"))).ToDictionary(kv => kv.Key, kv => kv.Value);
        var show = ConfigWriter.Flatten(ConfigLoader.Load(Path.Combine(dir, "showcase.yaml"))).ToDictionary(kv => kv.Key, kv => kv.Value);
        var changed = show.Where(kv => quick.GetValueOrDefault(kv.Key) != kv.Value).Select(kv => kv.Key).Order().ToList();
        // The model, data, batch, learning rates of G, D, E and every other loss weight are the quickstart's: only the
        // mapping network's learning rate, the diversity schedule, the cycle weight, the EMA and the length (with its
        // sampling and evaluation) differ.
        Assert.Equal(["loss.ds_iter", "loss.lambda_cyc", "metrics.eval_at_end", "name", "optim.ema_beta", "optim.f_lr",
                      "train.sample_every", "train.save_every", "train.total_iters"], changed);
    }
}
