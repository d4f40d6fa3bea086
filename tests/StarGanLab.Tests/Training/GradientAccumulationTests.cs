using StarGanLab.Checkpoints;
using StarGanLab.Config;
using StarGanLab.Experiments;
using StarGanLab.Experiments.Hooks;
using StarGanLab.Networks;
using StarGanLab.Runs;
using StarGanLab.Training;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Training;

/// <summary>train.accumulate (issue 21): K micro-batches give the whole batch's gradients, weights, EMA and logged
/// terms, and a run that accumulates resumes exactly. One step of tiny nets (16-32 px, 8-16 channels, batch 4) from
/// the same weights and inputs with K = 1, 2 and 4.</summary>
public class GradientAccumulationTests(ITestOutputHelper output) : TorchTest
{
    const int Batch = 4;

    static ExperimentConfig Tiny(Func<ExperimentConfig, ExperimentConfig>? change = null)
    {
        var c = TinyRuns.Config(Path.GetTempPath(), totalIters: 1);
        c = c with { Train = c.Train with { BatchSize = Batch } };
        return change is null ? c : change(c);
    }

    /// <summary>The variants whose terms could couple samples: the official one (adversarial on each sample's own
    /// domain output, R1, style, diversity, cycle), FAN-masked skips (masks of x_real sliced, masks of the fake
    /// made per micro-batch), and Table 1's preset A (WGAN-GP with its drawn mixing weights sliced, the classifier
    /// head's cross-entropy, one-hot concatenation, no reference phases).</summary>
    public static TheoryData<string> Variants() => ["official", "high-pass masks", "preset A"];

    static ExperimentConfig Variant(string name) => name switch
    {
        "official" => Tiny(),
        "high-pass masks" => Tiny(c => c with { Model = c.Model with { ImgSize = 32, WHpf = 1 } }),   // skips exist at 32 px
        "preset A" => Tiny(c => c with
        {
            Model = c.Model with { Injection = InjectionMode.Concat, StyleSource = StyleCode.Domain, Discriminator = DiscriminatorHead.Classifier },
            Loss = c.Loss with { Adversarial = AdversarialLoss.WganGp, LambdaReg = 0, LambdaSty = 0, LambdaDs = 0 },
        }),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    /// <summary>Masks that depend on each image alone, as the FAN's do (eval mode, no gradient).</summary>
    sealed class PerSampleMasker : IFaceMasker
    {
        public FaceMasks Masks(Tensor images)
        {
            using var _ = no_grad();
            var m = sigmoid(images.mean([1], keepdim: true) * 4);
            return new FaceMasks(m, m * m);
        }
    }

    static StepInputs Inputs(ExperimentConfig cfg, ScalarType dtype, IFaceMasker? masker)
    {
        var m = cfg.Model;
        var g = new torch.Generator(11);
        Tensor Image() => (rand([Batch, 3, m.ImgSize, m.ImgSize], generator: g) * 2 - 1).to(dtype);
        var xReal = Image();
        var y = () => randint(0, m.NumDomains, [Batch], generator: g, dtype: int64);
        return new StepInputs(xReal, y(), Image(), Image(), y(), randn([Batch, m.LatentDim], generator: g).to(dtype),
                              randn([Batch, m.LatentDim], generator: g).to(dtype), masker?.Masks(xReal),
                              Objectives.IsWasserstein(cfg.Loss) ? rand([2, Batch, 1, 1, 1], generator: g).to(dtype) : null);
    }

    /// <summary>What one step produced: every gradient each phase stepped with ("d_latent discriminator.main.0.weight"),
    /// the weights and EMA weights after the step, and the logged terms.</summary>
    sealed record StepResult(Dictionary<string, Tensor> Grads, Dictionary<string, Tensor> Weights, Dictionary<string, Tensor> EmaWeights, StepLosses Losses);

    static StepResult OneStep(ExperimentConfig cfg, int k, ScalarType dtype, IFaceMasker? masker = null)
    {
        cfg = cfg with { Train = cfg.Train with { Accumulate = k } };
        var (nets, ema) = StarGanNets.Build(cfg.Model, CPU, seed: 5);   // the kernel guard has chosen the route for these shapes
        using var _n = nets; using var _e = ema;
        foreach (var set in new[] { nets, ema })
            foreach (var (_, module) in set.Modules) module.to(dtype);
        using var trainer = new Trainer(nets, ema, cfg, masker);
        var grads = new Dictionary<string, Tensor>();
        trainer.BeforeOptimizerStep = phase =>
        {
            foreach (var (net, module) in nets.Modules)
                foreach (var (name, p) in module.named_parameters())
                    if (p.requires_grad && p.grad is { } grad)   // the networks this phase steps
                        grads[$"{phase} {net}.{name}"] = grad.detach().clone().DetachFromDisposeScope();
        };
        var losses = trainer.TrainStep(Inputs(cfg, dtype, masker));
        return new StepResult(grads, Weights(nets), Weights(ema), losses);
    }

    static Dictionary<string, Tensor> Weights(StarGanNets set) =>
        set.Modules.SelectMany(m => m.Module.named_parameters().Select(p => ($"{m.Name}.{p.name}", p.parameter.detach().clone())))
                   .ToDictionary(kv => kv.Item1, kv => kv.Item2);

    /// <summary>The largest difference between two sets of gradients relative to the largest gradient of the same
    /// network in the same phase, and where it is. Per network, not per tensor: a bias followed by instance norm has
    /// a gradient that is 0 but for rounding (about 1e-17), so its own scale is rounding noise.</summary>
    static (double Worst, string Where) RelativeDifference(Dictionary<string, Tensor> expected, Dictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        static string Network(string key) => key[..key.IndexOf('.')];
        static double Max(Tensor t) => t.abs().max().to(float64).item<double>();
        var scales = expected.GroupBy(kv => Network(kv.Key)).ToDictionary(g => g.Key, g => g.Max(kv => Max(kv.Value)));
        var worst = (0.0, "");
        foreach (var (key, e) in expected)
        {
            double rel = Max(e - actual[key]) / scales[Network(key)];
            if (rel > worst.Item1) worst = (rel, key);
        }
        return worst;
    }

    static double MaxAbsDifference(Dictionary<string, Tensor> expected, Dictionary<string, Tensor> actual) =>
        expected.Max(kv => (kv.Value - actual[kv.Key]).abs().max().to(float64).item<double>());

    [Theory, MemberData(nameof(Variants))]
    public void In_float64_every_gradient_weight_and_ema_weight_equals_the_full_batch_step(string variant)
    {
        var cfg = Variant(variant);
        IFaceMasker? masker = cfg.Model.WHpf > 0 ? new PerSampleMasker() : null;
        var full = OneStep(cfg, 1, float64, masker);
        Assert.NotEmpty(full.Grads);
        foreach (int k in new[] { 2, 4 })
        {
            var split = OneStep(cfg, k, float64, masker);
            var (worst, where) = RelativeDifference(full.Grads, split.Grads);
            double weights = MaxAbsDifference(full.Weights, split.Weights), emaWeights = MaxAbsDifference(full.EmaWeights, split.EmaWeights);
            output.WriteLine($"{variant}, K={k}: gradients {worst:E2} of scale ({where}), weights {weights:E2}, EMA {emaWeights:E2}");
            // float64 rounding of sums taken in another order
            Assert.True(worst <= 1e-10, $"K={k}: gradient {where} differs by {worst:E2} of its network's largest");
            // Adam's first step moves each weight by about lr = 1e-4, by lr * g / (|g| + 1e-8): a gradient that is 0
            // but for rounding (1e-16, the biases before instance norms) moves its weight by about 1e-12 for any K
            // (measured: at most 3.3e-12), a millionth of a step is the bound
            Assert.True(weights <= 1e-10, $"K={k}: weights after the step differ by {weights:E2}");
            Assert.True(emaWeights <= 1e-10, $"K={k}: EMA weights after the step differ by {emaWeights:E2}");
            AssertSameLosses(full.Losses, split.Losses, 1e-6, k);   // terms are logged as float32
        }
    }

    /// <summary>float32 through the kernel guard's route, as training runs: the same gradients up to float32 rounding
    /// of sums over other partitions of the batch (measured: 1.7e-6 of the network's largest gradient; the bound is
    /// 1e-4, as the parity checks' gradient tolerance). The weights are held to the float64 test above: Adam divides
    /// each gradient by its own magnitude, so a rounding difference in a gradient near zero can move its weight by up to
    /// 2 lr in float32 (measured: 2.1e-4 at lr 1e-4), whatever the gradients' agreement.</summary>
    [Fact]
    public void In_float32_the_gradients_and_logged_terms_equal_the_full_batch_steps_up_to_rounding()
    {
        var cfg = Tiny();
        var full = OneStep(cfg, 1, float32);
        var split = OneStep(cfg, 2, float32);
        var (worst, where) = RelativeDifference(full.Grads, split.Grads);
        output.WriteLine($"float32, K=2: gradients {worst:E2} of scale ({where}), weights {MaxAbsDifference(full.Weights, split.Weights):E2}");
        Assert.True(worst <= 1e-4, $"gradient {where} differs by {worst:E2} of its scale");
        AssertSameLosses(full.Losses, split.Losses, 1e-5, 2);
    }

    static void AssertSameLosses(StepLosses full, StepLosses split, double tolerance, int k)
    {
        var a = full.Flatten().ToList();
        var b = split.Flatten().ToDictionary(kv => kv.Key, kv => kv.Value);
        Assert.Equal(a.Select(kv => kv.Key), b.Keys);
        foreach (var (key, value) in a)
            Assert.True(Math.Abs(value - b[key]) <= tolerance * Math.Max(1, Math.Abs(value)), $"K={k}: {key} logged {b[key]}, the full batch {value}");
    }

    /// <summary>What accumulation costs in network passes: K = 1 keeps the shared latent fake (7 translations, 2 F
    /// passes, as ComponentSwitchTests counts); each micro-batch makes D's latent fake itself, without a graph, and
    /// G's latent phase its own: one translation and one F pass more per micro-batch, nothing else.</summary>
    [Fact]
    public void Each_micro_batch_costs_one_translation_and_one_mapping_pass_more_than_the_shared_fake()
    {
        var cfg = Tiny();
        foreach (var (k, translations, mappings) in new[] { (1, 7, 2), (2, 2 * 8, 2 * 3), (4, 4 * 8, 4 * 3) })
        {
            var c = cfg with { Train = cfg.Train with { Accumulate = k } };
            var (nets, ema) = StarGanNets.Build(c.Model, CPU, seed: 5);
            using var _n = nets; using var _e = ema;
            using var trainer = new Trainer(nets, ema, c);
            int g = 0, f = 0;
            ((Conv)nets.Generator.modules().Last(m => m is Conv)).register_forward_hook((_, _, y) => { g++; return y; });   // to_rgb: one per translation
            ((TorchSharp.Modules.Linear)nets.MappingNetwork!.modules().First(m => m is TorchSharp.Modules.Linear)).register_forward_hook((_, _, y) => { f++; return y; });
            trainer.TrainStep(Inputs(c, float32, null));
            Assert.Equal((translations, mappings), (g, f));
        }
    }

    // Resume with accumulation: TrainingSessionTests.N_steps_then_resume_for_M_equals_N_plus_M_in_one_go_bit_for_bit.

    [Theory]
    [InlineData("train:\n  accumulate: 3\n", 4, "train.accumulate: expected an integer >= 1 that divides train.batch_size (8) into equal micro-batches, got 3")]
    [InlineData("train:\n  accumulate: 0\n", 4, "train.accumulate: expected an integer >= 1 that divides train.batch_size (8) into equal micro-batches, got 0")]
    [InlineData("train:\n  batch_size: 4\n  accumulate: 8\n", 5, "train.accumulate: expected an integer >= 1 that divides train.batch_size (4) into equal micro-batches, got 8")]
    public void An_accumulation_that_does_not_divide_the_batch_is_a_config_error_naming_both_values(string body, int line, string message)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("name: t\ndata: {source: synthetic, synthetic_domains: 2}\n" + body, "test.yaml"));
        var p = Assert.Single(e.Problems);
        Assert.Equal(line, p.Line);
        Assert.Equal(message, $"{p.KeyPath}: {p.Message}");
    }

    /// <summary>Peak RSS that `stargan bench` measured at the paper's batch 8, 256 px, official widths, 2 domains
    /// (docs/performance.md, Gradient accumulation), against the estimate (bench has no data queue).</summary>
    [Theory]
    [InlineData(1, 14.67)]
    [InlineData(2, 7.98)]
    [InlineData(4, 5.67)]
    [InlineData(8, 4.19)]
    public void The_memory_estimate_with_accumulation_is_within_a_tenth_of_the_measured_peak(int k, double measuredGiB)
    {
        var cfg = new ExperimentConfig("bench") { Model = new ModelConfig(ImgSize: 256, NumDomains: 2), Train = new TrainConfig(BatchSize: 8, Accumulate: k) };
        var e = MemoryEstimate.Of(cfg);
        Assert.InRange((e.Total - e.Data) / (double)(1L << 30) / measuredGiB, 0.9, 1.1);
    }
}
