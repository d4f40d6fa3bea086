using StarGanLab.Checkpoints;
using StarGanLab.Config;
using StarGanLab.Networks;
using StarGanLab.Runs;
using StarGanLab.Training;
using StarGanLab.Experiments.Hooks;
using Xunit;
using StarGanLab.Experiments;

namespace StarGanLab.Tests.Training;

/// <summary>The Table 1 presets (configs/ablations/A..F.yaml) load, build only their networks, train two tiny steps,
/// write samples and checkpoints that TrainedModel loads and a resume continues.</summary>
public class AblationPresetTests : TorchTest
{
    static ExperimentConfig Preset(string letter) => ConfigLoader.Load(
        Path.Combine(Fixtures.RepoRoot, "configs", "ablations", letter + ".yaml"),
        options: new ConfigLoadOptions(AllowedRoot: Fixtures.RepoRoot));

    /// <summary>The preset's component keys on the 16 px tiny run.</summary>
    static ExperimentConfig Shrunk(ExperimentConfig preset, string root, int iters)
    {
        var tiny = TinyRuns.Config(root, totalIters: iters, saveEvery: iters);
        return tiny with
        {
            Preset = preset.Preset,
            Model = tiny.Model with { Injection = preset.Model.Injection, StyleSource = preset.Model.StyleSource, Discriminator = preset.Model.Discriminator },
            Loss = preset.Loss with { DsIter = tiny.Loss.DsIter },
            Optim = tiny.Optim with { Ema = preset.Optim.Ema },
        };
    }

    public static TheoryData<string, string[]> Networks => new()
    {
        { "A", ["generator", "discriminator"] },
        { "B", ["generator", "discriminator"] },
        { "C", ["generator", "discriminator"] },
        { "D", ["generator", "style_encoder", "discriminator"] },
        { "E", ["generator", "mapping_network", "style_encoder", "discriminator"] },
        { "F", ["generator", "mapping_network", "style_encoder", "discriminator"] },
    };

    [Theory]
    [MemberData(nameof(Networks))]
    public void Preset_trains_two_tiny_steps_and_its_checkpoint_loads(string letter, string[] networks)
    {
        var preset = Preset(letter);
        Assert.Equal(letter, preset.Preset);
        string root = TinyRuns.TempRoot();
        var cfg = Shrunk(preset, root, iters: 2);
        List<ITrainHook> Hooks() => [new LossLogHook(1), new SampleHook(1000, outsPerDomain: 1), new CheckpointHook(2, 0)];
        using (var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "r", false), _ => { }))
        {
            Assert.Equal(networks, s.Trainer.Nets.Modules.Select(m => m.Name));
            s.Train(Hooks());
        }
        string dir = Path.Combine(root, "r");
        Assert.Equal(2, File.ReadAllLines(Path.Combine(dir, "losses.jsonl")).Length);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(dir, "samples"), "000002_*.png"));

        using (var nets = NativeCheckpoint.Load(TrainerCheckpoints.FileOf(Path.Combine(dir, "checkpoints"), 2, TrainerCheckpoints.Nets)))
        {
            Assert.Equal(networks.Order(), nets.Groups.Keys.Order());
            Assert.Equal(preset.Model.StyleSource, TrainerCheckpoints.ModelOf(nets.Header, "nets").StyleSource);
        }
        using (var model = TrainedModel.Load(dir))
            Assert.Equal(networks.Where(n => n != StarGanNets.DiscriminatorName), model.Nets.Modules.Select(m => m.Name));
        using (var resumed = TrainingSession.Resume(RunDirectory.Open(dir), ["train.total_iters=3"], _ => { }))
        {
            Assert.Equal(2, resumed.Trainer.Step);
            resumed.Train([new LossLogHook(1)]);
            Assert.Equal(3, resumed.Trainer.Step);
        }
    }

    [Fact]
    public void Presets_differ_from_their_predecessor_only_in_the_components_table_1_adds()
    {
        var p = "ABCDEF".Select(c => Preset(c.ToString())).ToArray();
        var keys = (ExperimentConfig c) => (ConfigWriter.EnumName(c.Model.Injection), ConfigWriter.EnumName(c.Model.StyleSource),
                                            ConfigWriter.EnumName(c.Model.Discriminator), ConfigWriter.EnumName(c.Loss.Adversarial),
                                            c.Loss.LambdaReg, c.Loss.LambdaSty, c.Loss.LambdaDs, c.Loss.LambdaCyc);
        Assert.Equal(("concat", "domain", "classifier", "wgan_gp", 0.0, 0.0, 0.0, 1.0), keys(p[0]));   // StarGAN: WGAN-GP, ACGAN D, cycle
        Assert.Equal(("concat", "domain", "multitask", "wgan_gp", 0.0, 0.0, 0.0, 1.0), keys(p[1]));    // + multi-task D
        Assert.Equal(("adain", "domain", "multitask", "nonsaturating", 1.0, 0.0, 0.0, 1.0), keys(p[2])); // + R1, AdaIN
        Assert.Equal(("adain", "latent", "multitask", "nonsaturating", 1.0, 1.0, 0.0, 1.0), keys(p[3])); // + latent code (and its reconstruction)
        Assert.Equal(("adain", "style", "multitask", "nonsaturating", 1.0, 1.0, 0.0, 1.0), keys(p[4]));  // + F, E, style reconstruction
        Assert.Equal(("adain", "style", "multitask", "nonsaturating", 1.0, 1.0, 1.0, 1.0), keys(p[5]));  // + diversity
        Assert.True(p[5].Model.IsOfficial());

        // Everything but the component keys is the quickstart's.
        var quick = ConfigLoader.Load(Path.Combine(Fixtures.RepoRoot, "configs", "quickstart.yaml"));
        foreach (var c in p)
        {
            Assert.Equal(quick.Data, c.Data);
            Assert.Equal(quick.Train, c.Train);
            Assert.Equal(quick.Optim, c.Optim);
            Assert.Equal(quick.Model with { Injection = c.Model.Injection, StyleSource = c.Model.StyleSource, Discriminator = c.Model.Discriminator }, c.Model);
        }
    }

    [Fact]
    public void Export_refuses_an_ablation_variant()
    {
        string root = TinyRuns.TempRoot();
        var cfg = Shrunk(Preset("C"), root, iters: 1);
        using (var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "c", false), _ => { }))
            s.Train([new CheckpointHook(1, 0)]);
        string ckpt = OfficialConversion.FindInRun(Path.Combine(root, "c"), null, TrainerCheckpoints.NetsEma);
        var e = Assert.Throws<CheckpointException>(() => OfficialConversion.Export(ckpt, Path.Combine(root, "out.ckpt")));
        Assert.Contains("model.style_source domain", e.Message);
        Assert.False(File.Exists(Path.Combine(root, "out.ckpt")));
    }

    [Fact]
    public void Sampling_and_translation_refuse_a_variant_without_style_codes_by_name()
    {
        string root = TinyRuns.TempRoot();
        var cfg = Shrunk(Preset("C"), root, iters: 1);
        using (var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "c", false), _ => { }))
            s.Train([new CheckpointHook(1, 0)]);
        using var model = TrainedModel.Load(Path.Combine(root, "c"));
        using var x = TorchSharp.torch.zeros(1, 3, 16, 16);
        var byLatent = Assert.Throws<ArgumentException>(() => StarGanLab.Sampling.Translator.ByLatent(model, x, 1, 0, 1));
        Assert.Contains("needs domain-specific style codes (model.style_source: style)", byLatent.Message);
        Assert.Throws<ArgumentException>(() => StarGanLab.Sampling.Translator.ByReference(model, x, x, 1));
        Assert.Throws<ArgumentException>(() => StarGanLab.Sampling.Sampler.Run(model, new StarGanLab.Sampling.SampleOptions(root, root, root), _ => { }));
    }

    [Fact]
    public void A_run_without_ema_saves_the_training_networks_as_nets_ema_and_resumes()
    {
        string root = TinyRuns.TempRoot();
        var cfg = TinyRuns.Config(root, totalIters: 1, saveEvery: 1) with { Optim = new OptimConfig(Ema: false) };
        using (var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "n", false), _ => { }))
            s.Train([new CheckpointHook(1, 0)]);
        string dir = Path.Combine(root, "n", "checkpoints");
        using var nets = NativeCheckpoint.Load(TrainerCheckpoints.FileOf(dir, 1, TrainerCheckpoints.Nets));
        using var ema = NativeCheckpoint.Load(TrainerCheckpoints.FileOf(dir, 1, TrainerCheckpoints.NetsEma));
        Assert.DoesNotContain(StarGanNets.DiscriminatorName, ema.Groups.Keys);
        foreach (var (name, sd) in ema.Groups)
            foreach (var (key, t) in sd)
                Assert.True(t.eq(nets.Groups[name][key]).all().item<bool>(), $"nets_ema {name}.{key} is not the training weight");
        using (var model = TrainedModel.Load(Path.Combine(root, "n")))
            Assert.Equal(1, model.Step);
        using var resumed = TrainingSession.Resume(RunDirectory.Open(Path.Combine(root, "n")), ["train.total_iters=2"], _ => { });
        Assert.Same(resumed.Trainer.Nets.Generator, resumed.Trainer.Ema.Generator);
        resumed.Train([new LossLogHook(1)]);
        Assert.Equal(2, resumed.Trainer.Step);
    }
}
