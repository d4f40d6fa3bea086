using StarGanLab.Config;
using StarGanLab.Networks;
using StarGanLab.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Training;

/// <summary>Each component switch removes the component's computation, not just its weight: counted network passes,
/// absent modules, skipped phases. Tiny nets (16 px, 8-16 channels), one or two iterations each.</summary>
public class ComponentSwitchTests : TorchTest
{
    const int Batch = 2;

    static ExperimentConfig Tiny(Func<ExperimentConfig, ExperimentConfig>? change = null)
    {
        var c = TinyRuns.Config(Path.GetTempPath(), totalIters: 1);
        return change is null ? c : change(c);
    }

    static ExperimentConfig With(LossConfig? loss = null, ModelConfig? model = null, OptimConfig? optim = null) =>
        Tiny(c => c with { Loss = loss ?? c.Loss, Model = model ?? c.Model, Optim = optim ?? c.Optim });

    static StepInputs Inputs(ModelConfig m, FaceMasks? masks = null)
    {
        var x = () => rand(Batch, 3, m.ImgSize, m.ImgSize) * 2 - 1;
        return new StepInputs(x(), tensor(new long[] { 0, 1 }), x(), x(), tensor(new long[] { 2, 0 }),
                              randn(Batch, m.LatentDim), randn(Batch, m.LatentDim), masks);
    }

    /// <summary>Counts forward passes of each network through its first convolution or linear layer (every pass of
    /// a network goes through it once); for G that counts encoder passes, and its last convolution (to_rgb) counts
    /// translations. The hooks live as long as the networks, which each test disposes.</summary>
    sealed class PassCounter
    {
        public const string GeneratorDecoder = "generator decoder";
        readonly Dictionary<string, int> counts = [];

        public PassCounter(StarGanNets nets)
        {
            foreach (var (name, module) in nets.Modules)
            {
                Count(name, module.modules().First(m => m is Conv or Linear));
                if (name == StarGanNets.GeneratorName) Count(GeneratorDecoder, module.modules().Last(m => m is Conv));
            }
        }

        void Count(string key, nn.Module layer)
        {
            counts[key] = 0;
            if (layer is Conv conv) conv.register_forward_hook((_, _, output) => { counts[key]++; return output; });
            else ((Linear)layer).register_forward_hook((_, _, output) => { counts[key]++; return output; });
        }

        public int this[string name] => counts.TryGetValue(name, out int n) ? n : 0;
    }

    /// <summary>One iteration's passes: G counts translations (decoder passes), GEncoder the encoder passes.</summary>
    static (int G, int E, int F, int D, List<string> Phases, StepLosses Losses, int GEncoder) OneStep(ExperimentConfig cfg, IFaceMasker? masker = null, FaceMasks? masks = null)
    {
        manual_seed(3);
        var (nets, ema) = StarGanNets.Build(cfg.Model, CPU, seed: 3, cfg.Optim.Ema);
        using var _n = nets; using var _e = ema;
        using var trainer = new Trainer(nets, ema, cfg, masker);
        var phases = new List<string>();
        trainer.PhaseCompleted = phases.Add;
        var counter = new PassCounter(nets);
        var losses = trainer.TrainStep(Inputs(cfg.Model, masks));
        return (counter[PassCounter.GeneratorDecoder], counter[StarGanNets.StyleEncoderName], counter[StarGanNets.MappingNetworkName],
                counter[StarGanNets.DiscriminatorName], phases, losses, counter[StarGanNets.GeneratorName]);
    }

    [Fact]
    public void Default_iteration_makes_the_official_passes()
    {
        var r = OneStep(Tiny());
        // G: the latent fake (shared by d_latent and g_latent), the d_ref fake, 2 x (second fake, cycle) and the g_ref
        // fake; the official makes 8 (the latent fake twice). E: d_ref 1, g_latent (sty, s_org) 2, g_ref (ref, ref2, sty, s_org) 4
        Assert.Equal((7, 7, 2), (r.G, r.E, r.F));
        // G's encoder runs once per G weights and input: x_real before and after the G latent step, and each cycle's
        // fake; the d_ref fake and both second fakes decode an encoding of x_real already made (the official: 8)
        Assert.Equal(4, r.GEncoder);
        Assert.Equal(["d_latent", "d_ref", "g_latent", "g_ref", "ema"], r.Phases);
    }

    [Fact]
    public void Zero_diversity_weight_builds_no_second_fake()
    {
        var r = OneStep(With(loss: new LossConfig(LambdaDs: 0, DsIter: 10)));
        Assert.Equal((5, 6, 1), (r.G, r.E, r.F));   // no second fake in either G phase, no x_ref2 / z_trg2 code
        Assert.Equal(4, r.GEncoder);
        Assert.Equal(0, r.Losses.GLatent.Ds);
        Assert.Equal(0, r.Losses.GRef.Ds);
    }

    [Fact]
    public void Zero_cycle_weight_builds_no_reconstruction()
    {
        var r = OneStep(With(loss: new LossConfig(LambdaCyc: 0, DsIter: 10)));
        Assert.Equal((5, 5), (r.G, r.E));   // no G(fake, s_org) and no E(x_real) for s_org
        Assert.Equal(2, r.GEncoder);        // x_real before and after the G latent step
        Assert.Equal(0, r.Losses.GLatent.Cyc);
    }

    [Fact]
    public void Zero_style_weight_skips_the_style_encoder_pass_on_the_fake()
    {
        var r = OneStep(With(loss: new LossConfig(LambdaSty: 0, DsIter: 10)));
        Assert.Equal((7, 5), (r.G, r.E));
        Assert.Equal(0, r.Losses.GRef.Sty);
    }

    [Fact]
    public void Zero_r1_weight_gives_the_discriminator_reals_without_a_gradient_graph()
    {
        foreach (var (lambda, expectGraph) in new[] { (1.0, true), (0.0, false) })
        {
            var cfg = With(loss: new LossConfig(LambdaReg: lambda, DsIter: 10));
            manual_seed(3);
            var (nets, ema) = StarGanNets.Build(cfg.Model, CPU, seed: 3);
            using var _n = nets; using var _e = ema;
            using var trainer = new Trainer(nets, ema, cfg);
            var realNeedsGrad = new List<bool>();
            var first = nets.Discriminator!.modules().OfType<Conv>().First();
            first.register_forward_hook((_, input, output) => { realNeedsGrad.Add(input.requires_grad); return output; });
            var losses = trainer.TrainStep(Inputs(cfg.Model));
            // The first D pass of each D phase sees the reals: R1 needs them as a graph leaf, without R1 they are data.
            Assert.Equal(expectGraph, realNeedsGrad[0]);
            Assert.Equal(expectGraph, losses.DLatent.Reg > 0);
        }
    }

    [Fact]
    public void Zero_cycle_weight_computes_no_face_masks_of_the_fake()
    {
        foreach (var (lambda, calls) in new[] { (1.0, 2), (0.0, 0) })
        {
            var cfg = Tiny(c => c with { Model = c.Model with { WHpf = 1 }, Loss = c.Loss with { LambdaCyc = lambda } });
            var masker = new CountingMasker();
            var masks = masker.Masks(zeros(Batch, 3, 16, 16));
            masker.Calls = 0;
            OneStep(cfg, masker, masks);
            Assert.Equal(calls, masker.Calls);   // once per G phase for the cycle, never otherwise
        }
    }

    sealed class CountingMasker : IFaceMasker
    {
        public int Calls;
        public FaceMasks Masks(Tensor images)
        {
            Calls++;
            long b = images.size(0);
            return new FaceMasks(rand(b, 1, 64, 64), rand(b, 1, 64, 64));
        }
    }

    [Fact]
    public void Without_ema_no_copies_exist_and_no_ema_phase_runs()
    {
        var cfg = With(optim: new OptimConfig(Ema: false));
        var r = OneStep(cfg);
        Assert.DoesNotContain("ema", r.Phases);

        var (nets, ema) = StarGanNets.Build(cfg.Model, CPU, seed: 3, ema: false);
        using var _n = nets; using var _e = ema;
        Assert.Same(nets.Generator, ema.Generator);
        Assert.Same(nets.MappingNetwork, ema.MappingNetwork);
        Assert.Same(nets.StyleEncoder, ema.StyleEncoder);
        Assert.Null(ema.Discriminator);
        Assert.Throws<ArgumentException>(() => new Trainer(nets, StarGanNets.Create(cfg.Model, false), cfg));
    }

    [Fact]
    public void A_one_hot_domain_code_has_no_mapping_network_no_style_encoder_and_no_reference_phases()
    {
        var cfg = Tiny(c => c with
        {
            Model = c.Model with { StyleSource = StyleCode.Domain },
            Loss = c.Loss with { LambdaSty = 0, LambdaDs = 0 },
        });
        var r = OneStep(cfg);
        Assert.Equal(["d_latent", "g_latent", "ema"], r.Phases);
        Assert.Equal((2, 0, 0), (r.G, r.E, r.F));   // the latent fake (D and G phases), cycle
        Assert.Equal(2, r.GEncoder);
        Assert.Equal(DLosses.Skipped, r.Losses.DRef);

        using var nets = StarGanNets.Create(cfg.Model, withDiscriminator: true);
        Assert.Equal([StarGanNets.GeneratorName, StarGanNets.DiscriminatorName], nets.Modules.Select(m => m.Name));
        Assert.Throws<InvalidOperationException>(() => nets.ReferenceStyle(zeros(1, 3, 16, 16), zeros(1, dtype: int64)));
        // the AdaIN layers read a one-hot code of num_domains
        Assert.Equal([3L], nets.Generator.state_dict().Where(kv => kv.Key.EndsWith("fc.weight")).Select(kv => kv.Value.size(1)).Distinct());
    }

    [Fact]
    public void Latent_injection_has_a_domain_shared_encoder_and_no_mapping_network()
    {
        var cfg = Tiny(c => c with { Model = c.Model with { StyleSource = StyleCode.Latent }, Loss = c.Loss with { LambdaDs = 0 } });
        var r = OneStep(cfg);
        Assert.Equal(["d_latent", "g_latent", "ema"], r.Phases);
        Assert.Equal((2, 2, 0), (r.G, r.E, r.F));   // E(fake) for the latent reconstruction, E(x_real) for the cycle
        Assert.True(r.Losses.GLatent.Sty > 0);

        using var nets = StarGanNets.Create(cfg.Model, withDiscriminator: false);
        Assert.Null(nets.MappingNetwork);
        var heads = nets.StyleEncoder!.state_dict().Keys.Where(k => k.StartsWith("unshared.") && k.EndsWith(".weight")).ToList();
        Assert.Equal(["unshared.0.weight"], heads);
        Assert.Equal(cfg.Model.LatentDim, nets.StyleEncoder.state_dict()["unshared.0.weight"].size(0));
        var code = nets.LatentStyle(randn(2, 8), tensor(new long[] { 1, 2 }));
        Assert.Equal(new long[] { 2, 3 + 8 }, code.shape);
    }

    [Fact]
    public void Concatenated_domain_label_widens_the_input_and_leaves_the_decoder_without_adain()
    {
        var m = Tiny().Model with { Injection = InjectionMode.Concat, StyleSource = StyleCode.Domain };
        using var g = StarGanLab.Networks.Generator.Create(m);
        var sd = g.state_dict();
        Assert.Equal(3 + m.NumDomains, sd["from_rgb.weight"].size(1));
        Assert.DoesNotContain(sd.Keys, k => k.Contains(".fc."));   // no AdaIN anywhere
        Assert.Contains("decode.0.norm1.norm.weight", sd.Keys);

        // the output depends on the concatenated label
        var x = randn(1, 3, 16, 16);
        using var net = StarGanNets.Create(m, withDiscriminator: false);
        var a = g.forward(x, net.DomainCode(tensor(new long[] { 0 })));
        var b = g.forward(x, net.DomainCode(tensor(new long[] { 1 })));
        Assert.False(a.allclose(b));
    }

    [Fact]
    public void Wasserstein_loss_adds_the_gradient_penalty_pass_only_when_chosen()
    {
        int DPasses(AdversarialLoss adversarial)
        {
            var cfg = Tiny(c => c with { Loss = c.Loss with { Adversarial = adversarial, LambdaReg = 0 } });
            var r = OneStep(cfg);
            Assert.Equal(adversarial == AdversarialLoss.WganGp, r.Losses.DLatent.Gp is not null);
            return r.D;
        }
        // one extra D pass per D phase, on the interpolates
        Assert.Equal(DPasses(AdversarialLoss.Nonsaturating) + 2, DPasses(AdversarialLoss.WganGp));
    }

    [Fact]
    public void Classifier_discriminator_adds_the_domain_classification_loss_to_both_players()
    {
        var cfg = Tiny(c => c with
        {
            Model = c.Model with { Injection = InjectionMode.Concat, StyleSource = StyleCode.Domain, Discriminator = DiscriminatorHead.Classifier },
            Loss = c.Loss with { LambdaSty = 0, LambdaDs = 0, LambdaReg = 0 },
        });
        var r = OneStep(cfg);
        Assert.NotNull(r.Losses.DLatent.Cls);
        Assert.Null(r.Losses.DLatent.Gp);
        Assert.NotNull(r.Losses.GLatent.Cls);
        Assert.Contains(r.Losses.Flatten(), kv => kv.Key == "D/latent_cls");
        Assert.DoesNotContain(OneStep(Tiny()).Losses.Flatten(), kv => kv.Key.EndsWith("_cls"));

        using var d = Discriminator.Create(cfg.Model);
        var (adv, cls) = d.Judge(randn(2, 3, 16, 16), tensor(new long[] { 0, 1 }));
        Assert.Equal(new long[] { 2 }, adv.shape);
        Assert.Equal(new long[] { 2, 3 }, cls!.shape);
    }
}
