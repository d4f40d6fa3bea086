using System.Security.Cryptography;
using System.Text.Json;
using StarGanLab.Checkpoints;
using StarGanLab.Config;
using StarGanLab.Experiments;
using StarGanLab.Experiments.Hooks;
using StarGanLab.Networks;
using StarGanLab.Runs;
using StarGanLab.Tests.Training;
using StarGanLab.Training;
using Xunit;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Runs;

/// <summary>Fine-tuning (train.init_from): from official files in both pickle formats and from our own runs, with the
/// domain count kept, raised and lowered; what is loaded, copied by the domain rule or He-initialised, tensor by tensor.</summary>
public class InitFromTests : TorchTest
{
    const long SourceSeed = 1234;   // the fabricated checkpoints' weights; the runs use TinyRuns' seed, so every loaded tensor differs from a fresh one

    static ExperimentConfig Tiny(string root, int domains, string initFrom = "", int totalIters = 2, int saveEvery = 1000)
    {
        var c = TinyRuns.Config(root, totalIters, saveEvery);
        return c with
        {
            Model = c.Model with { NumDomains = domains },
            Data = c.Data with { SyntheticDomains = domains },
            Train = c.Train with { InitFrom = initFrom },
        };
    }

    static IReadOnlyDictionary<string, Tensor> Sd(StarGanNets nets, string net) => StateDicts.Of(nets[net]);

    static void Same(Tensor expected, Tensor actual, string what)
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape), $"{what}: shape [{string.Join(",", actual.shape)}], expected [{string.Join(",", expected.shape)}]");
        Assert.True(expected.eq(actual).all().item<bool>(), $"{what}: values differ");
    }

    /// <summary>The rule of docs/finetuning.md, checked on every tensor of <paramref name="into"/>: a head of a domain
    /// the checkpoint has, and every shared tensor, equal the checkpoint's; a new domain's head, and every tensor of a
    /// network the checkpoint lacks, equal <paramref name="fresh"/> (He init from the run's seed); the discriminator's
    /// output rows are split the same way.</summary>
    static void AssertRule(StarGanNets into, IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> source, StarGanNets fresh, int sourceDomains)
    {
        foreach (var (net, module) in into.Modules)
        {
            var ours = StateDicts.Of(module);
            var init = Sd(fresh, net);
            if (!source.TryGetValue(net, out var src))
            {
                foreach (var (key, t) in ours) Same(init[key], t, $"{net}.{key} (not in the checkpoint)");
                continue;
            }
            int lastMain = ours.Keys.Where(k => k.StartsWith("main.")).Select(k => int.Parse(k.Split('.')[1])).DefaultIfEmpty(-1).Max();
            foreach (var (key, t) in ours)
            {
                int? head = key.StartsWith("unshared.") ? int.Parse(key.Split('.')[1]) : null;
                if (head >= sourceDomains) Same(init[key], t, $"{net}.{key} (new domain)");
                else if (net == StarGanNets.DiscriminatorName && key.StartsWith($"main.{lastMain}."))
                {
                    long rows = Math.Min(sourceDomains, t.shape[0]);
                    Same(src[key].narrow(0, 0, rows), t.narrow(0, 0, rows), $"{net}.{key} rows of shared domains");
                    if (t.shape[0] > rows) Same(init[key].narrow(0, rows, t.shape[0] - rows), t.narrow(0, rows, t.shape[0] - rows), $"{net}.{key} new rows");
                }
                else Same(src[key], t, $"{net}.{key}");
            }
        }
    }

    static (StarGanNets Nets, StarGanNets Ema) Fresh(ExperimentConfig cfg) => StarGanNets.Build(cfg.Model, CPU, cfg.Seed);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_official_release_starts_training_and_EMA_networks_and_D_is_fresh(bool legacy)
    {
        string root = TinyRuns.TempRoot();
        var model = Tiny(root, 3).Model;
        string file = OfficialFiles.Write(Path.Combine(root, "100000_nets_ema.ckpt"), model, SourceSeed, withDiscriminator: false, legacy);
        Assert.Equal(legacy ? CheckpointFormat.PyTorchLegacy : CheckpointFormat.PyTorchZip, CheckpointFormats.Detect(file));
        var cfg = Tiny(root, 3, initFrom: file);
        var log = new List<string>();

        using var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "ft", false), log.Add);
        var official = OfficialCheckpoint.Read(file);
        var (fresh, freshEma) = Fresh(cfg);
        using (fresh)
        using (freshEma)
        {
            AssertRule(s.Trainer.Nets, official, fresh, sourceDomains: 3);
            AssertRule(s.Trainer.Ema, official, fresh, sourceDomains: 3);
            Assert.False(Sd(fresh, "generator")["from_rgb.weight"].eq(Sd(s.Trainer.Nets, "generator")["from_rgb.weight"]).all().item<bool>());
        }
        Assert.Equal(0, s.Trainer.Step);
        Assert.All(s.Trainer.Optimizers.Values, o => Assert.Empty(o.StateDict()));
        Assert.Contains(log, l => l.Contains("discriminator: not in") && l.Contains("He-initialised"));

        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "ft", InitReport.FileName))).RootElement;
        using (var fs = File.OpenRead(file))
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(fs)), json.GetProperty("training_file").GetProperty("sha256").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("ema_file").ValueKind);
        Assert.Contains($"init_from: \"{file}\"", File.ReadAllText(Path.Combine(root, "ft", RunDirectory.ConfigFileName)));
    }

    [Fact]
    public void An_official_nets_file_with_two_domains_starts_a_run_with_three()
    {
        string root = TinyRuns.TempRoot();
        string file = OfficialFiles.Write(Path.Combine(root, "000100_nets.ckpt"), Tiny(root, 2).Model, SourceSeed, withDiscriminator: true, legacy: true);
        var cfg = Tiny(root, 3, initFrom: file);

        using var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "ft", false), _ => { });
        var official = OfficialCheckpoint.Read(file);
        var (fresh, freshEma) = Fresh(cfg);
        using (fresh)
        using (freshEma)
        {
            AssertRule(s.Trainer.Nets, official, fresh, sourceDomains: 2);
            // The EMA networks start from the training weights just loaded (the file holds one set).
            foreach (var (net, module) in s.Trainer.Ema.Modules)
                foreach (var (key, t) in StateDicts.Of(module)) Same(Sd(s.Trainer.Nets, net)[key], t, $"EMA {net}.{key}");
        }
        Assert.Equal(3, Sd(s.Trainer.Nets, "discriminator").Single(kv => kv.Key.EndsWith(".bias") && kv.Value.shape.SequenceEqual([3L])).Value.shape[0]);

        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "ft", InitReport.FileName))).RootElement;
        var byNet = json.GetProperty("training").EnumerateArray().ToDictionary(n => n.GetProperty("net").GetString()!);
        Assert.Equal(8, byNet["mapping_network"].GetProperty("reinitialised").GetInt32());   // head 2: four Linear layers
        Assert.Equal(2, byNet["style_encoder"].GetProperty("reinitialised").GetInt32());     // head 2: one Linear
        Assert.Equal(2, byNet["discriminator"].GetProperty("partly_loaded").GetInt32());     // output conv weight and bias
        Assert.Equal(0, byNet["generator"].GetProperty("reinitialised").GetInt32());
    }

    [Fact]
    public void Our_run_with_three_domains_starts_a_run_with_two_from_its_training_and_EMA_weights()
    {
        string root = TinyRuns.TempRoot();
        var source = Tiny(root, 3, totalIters: 2, saveEvery: 2);
        using (var s = TrainingSession.Start(source, RunDirectory.Create(root, "src", false), _ => { }))
            s.Train([new CheckpointHook(2, 0)]);
        string dir = Path.Combine(root, "src", "checkpoints");

        var cfg = Tiny(root, 2, initFrom: Path.Combine(root, "src"));
        using var ft = TrainingSession.Start(cfg, RunDirectory.Create(root, "ft", false), _ => { });
        using var nets = NativeCheckpoint.Load(TrainerCheckpoints.FileOf(dir, 2, TrainerCheckpoints.Nets));
        using var ema = NativeCheckpoint.Load(TrainerCheckpoints.FileOf(dir, 2, TrainerCheckpoints.NetsEma));
        var (fresh, freshEma) = Fresh(cfg);
        using (fresh)
        using (freshEma)
        {
            AssertRule(ft.Trainer.Nets, nets.Groups, fresh, sourceDomains: 3);
            AssertRule(ft.Trainer.Ema, ema.Groups, fresh, sourceDomains: 3);
        }
        Assert.False(nets.Groups["generator"]["from_rgb.weight"].eq(ema.Groups["generator"]["from_rgb.weight"]).all().item<bool>(),
            "two steps should part the training and EMA weights, or this test cannot tell which file each set came from");
        Assert.DoesNotContain(Sd(ft.Trainer.Nets, "mapping_network").Keys, k => k.StartsWith("unshared.2."));
        Assert.Equal(0, ft.Trainer.Step);
        Assert.All(ft.Trainer.Optimizers.Values, o => Assert.Empty(o.StateDict()));

        var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "ft", InitReport.FileName))).RootElement;
        Assert.Equal(TrainerCheckpoints.FileOf(dir, 2, TrainerCheckpoints.NetsEma), json.GetProperty("ema_file").GetProperty("path").GetString());
        var mapping = json.GetProperty("training").EnumerateArray().Single(n => n.GetProperty("net").GetString() == "mapping_network");
        Assert.Equal(8, mapping.GetProperty("dropped").GetInt32());
        // The run records the file the folder resolved to: a later checkpoint of the source run does not move it.
        Assert.Contains($"init_from: \"{TrainerCheckpoints.FileOf(dir, 2, TrainerCheckpoints.Nets)}\"", File.ReadAllText(Path.Combine(root, "ft", RunDirectory.ConfigFileName)));
    }

    [Fact]
    public void A_checkpoint_of_another_architecture_is_refused_naming_tensor_shapes_and_config_key_and_leaves_no_run()
    {
        string root = TinyRuns.TempRoot();
        string file = OfficialFiles.Write(Path.Combine(root, "100000_nets_ema.ckpt"), Tiny(root, 2).Model, SourceSeed, withDiscriminator: false, legacy: false);
        var cfg = Tiny(root, 2, initFrom: file);
        cfg = cfg with { Model = cfg.Model with { StyleDim = 32 }, Run = cfg.Run with { Name = "wide" } };

        var e = Assert.Throws<CheckpointException>(() => Experiment.Run(cfg, new ExperimentOptions { Log = _ => { } }));
        Assert.Contains("[mapping_network] unshared.0.6.weight: checkpoint shape [16, 32], config shape [32, 32]", e.Message);
        Assert.Contains("model.style_dim (checkpoint 16, config 32)", e.Message);
        Assert.False(Directory.Exists(Path.Combine(root, "wide")));
    }

    [Fact]
    public void A_domain_count_change_is_refused_for_a_one_hot_domain_code()
    {
        string root = TinyRuns.TempRoot();
        var variant = Tiny(root, 2) with { Loss = new LossConfig(LambdaSty: 0, LambdaDs: 0, DsIter: 10) };
        variant = variant with { Model = variant.Model with { StyleSource = StyleCode.Domain } };
        using (var s = TrainingSession.Start(variant with { Train = variant.Train with { TotalIters = 1, SaveEvery = 1 } }, RunDirectory.Create(root, "src", false), _ => { }))
            s.Train([new CheckpointHook(1, 0)]);

        var three = variant with { Model = variant.Model with { NumDomains = 3 }, Data = variant.Data with { SyntheticDomains = 3 }, Train = variant.Train with { InitFrom = Path.Combine(root, "src") } };
        var e = Assert.Throws<CheckpointException>(() => TrainingSession.Start(three, RunDirectory.Create(root, "ft", false), _ => { }));
        Assert.Contains("model.style_source style only", e.Message);
    }

    [Fact]
    public void Resuming_a_fine_tune_continues_its_own_checkpoint_and_never_reads_the_init_again()
    {
        string root = TinyRuns.TempRoot();
        string file = OfficialFiles.Write(Path.Combine(root, "100000_nets_ema.ckpt"), Tiny(root, 3).Model, SourceSeed, withDiscriminator: false, legacy: false);
        var cfg = Tiny(root, 3, initFrom: file, totalIters: 2, saveEvery: 2);
        using (var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "ft", false), _ => { }))
            s.Train([new CheckpointHook(2, 0)]);
        File.Delete(file);   // applying the init again would now fail

        var run = RunDirectory.Open(Path.Combine(root, "ft"));
        var refused = Assert.Throws<InvalidOperationException>(() => TrainingSession.Resume(run, ["train.total_iters=3", $"train.init_from={root}"], _ => { }));
        Assert.Contains("train.init_from", refused.Message);

        var log = new List<string>();
        using (var r = TrainingSession.Resume(run, ["train.total_iters=3"], log.Add))
        {
            Assert.Equal(2, r.Trainer.Step);
            using var saved = NativeCheckpoint.Load(TrainerCheckpoints.FileOf(run.CheckpointDir, 2, TrainerCheckpoints.Nets));
            foreach (var (net, sd) in saved.Groups)
                foreach (var (key, t) in sd) Same(t, Sd(r.Trainer.Nets, net)[key], $"resumed {net}.{key}");
            Assert.DoesNotContain(log, l => l.StartsWith("init_from"));
            r.Train([new CheckpointHook(3, 0)]);
            Assert.Equal(3, r.Trainer.Step);
        }
    }

    [Fact]
    public void Our_files_resolve_to_their_EMA_sibling_and_an_optimizer_file_is_refused()
    {
        string root = TinyRuns.TempRoot();
        using (var s = TrainingSession.Start(Tiny(root, 2, totalIters: 1, saveEvery: 1), RunDirectory.Create(root, "src", false), _ => { }))
            s.Train([new CheckpointHook(1, 0)]);
        string dir = Path.Combine(root, "src", "checkpoints");
        string nets = TrainerCheckpoints.FileOf(dir, 1, TrainerCheckpoints.Nets), ema = TrainerCheckpoints.FileOf(dir, 1, TrainerCheckpoints.NetsEma);

        var fromNets = InitSource.Resolve(nets);
        Assert.Equal((nets, ema), (fromNets.Training.Path, fromNets.Ema?.Path));
        var fromEma = InitSource.Resolve(ema);
        Assert.Equal((ema, (string?)null), (fromEma.Training.Path, fromEma.Ema?.Path));
        using (var fs = File.OpenRead(ema))
            Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(fs)), fromEma.Training.Sha256);

        var e = Assert.Throws<CheckpointException>(() => InitSource.Resolve(TrainerCheckpoints.FileOf(dir, 1, TrainerCheckpoints.Optims)));
        Assert.Contains("'optims' checkpoint, which holds no networks", e.Message);
    }

    [Fact]
    public void A_missing_or_foreign_init_file_is_named()
    {
        string root = TinyRuns.TempRoot();
        string missing = Path.Combine(root, "nope.ckpt");
        var e = Assert.Throws<FileNotFoundException>(() => Experiment.Run(Tiny(root, 2, initFrom: missing), new ExperimentOptions { Log = _ => { } }));
        Assert.Contains(missing, e.Message);

        string text = Path.Combine(root, "x.ckpt");
        File.WriteAllText(text, "not a checkpoint");
        var f = Assert.Throws<CheckpointException>(() => Experiment.Run(Tiny(root, 2, initFrom: text), new ExperimentOptions { Log = _ => { } }));
        Assert.Contains($"{text} is not a checkpoint", f.Message);
        Assert.Contains("\"not a ch\"", f.Message);
        Assert.Empty(Directory.EnumerateDirectories(root));
    }
}
