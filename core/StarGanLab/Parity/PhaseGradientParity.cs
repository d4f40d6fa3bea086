using StarGanLab.Checkpoints;
using StarGanLab.Config;
using StarGanLab.Networks;
using StarGanLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Parity;

/// <summary>Each phase's gradients at the weights the official phase saw, in float32 and in float64, judged against
/// the official float64 gradient where the fixture has it (official_f64_grads.py writes grad_&lt;phase&gt;_&lt;net&gt;_f64.npy).</summary>
/// <remarks>StarGAN v2's float32 gradients are ill-conditioned on many configs: LeakyReLU inputs within rounding of
/// zero and the L1 terms make them jump, so two float32 computations of the same formula that only sum in another
/// order (two libtorch versions, one thread or two, another kernel) can differ by 1e-3 of scale, and either may be the
/// one far from the exact value. float64 settles it: our float64 gradient must equal the official float64 gradient
/// to <see cref="MathTolerance"/> of scale (that proves the math), and our float32 gradient must be no farther from it
/// than <see cref="ConditioningFactor"/> times the official float32's distance, or within the float32 tolerance (that
/// proves our float32 path is no worse). Without official float64 files our own float64 gradient is the arbiter, and
/// the official float32 must then be close to it too. The weights a phase saw are rebuilt as official_f64_grads.py
/// does: d_latent all from step 0; d_ref D after one official Adam step with the recorded d_latent gradient;
/// g_latent D from step 1, the rest from step 0; g_ref G after one official Adam step with the recorded g_latent
/// gradient, F, E and D from step 1.</remarks>
static class PhaseGradientParity
{
    public const double MathTolerance = 1e-10;
    /// <summary>For d_ref and g_ref, whose weights are rebuilt by one Adam step: libtorch 2.10's Adam kernels round
    /// some elements one ulp away from torch 1.13's (measured on the basic fixture: D after both of its steps differs
    /// from the official 000001 D in 367 of 105098 elements, by at most 7.5e-9), which moves the float64 gradient by
    /// about 2e-9 of scale. A wrong operation moves it by 1e-3 or more.</summary>
    public const double RebuiltMathTolerance = 1e-7;
    /// <summary>With w_hpf > 0 the masks come from the FAN, whose CoordConv adds a float32 radius channel that is a
    /// constant in both codes (not a buffer, so float64 runs keep it): torch 1.13 and libtorch 2.10 round 9132 of its
    /// 65536 values one ulp apart, which moves the float64 masks by 4e-8 and the gradients by about 3e-9 of scale.</summary>
    public const double MaskedMathTolerance = 1e-7;
    public const double ConditioningFactor = 2;
    /// <summary>Without official float64 files: how far the official float32 may be from our float64 before the fixture
    /// cannot judge this gradient here.</summary>
    public const double ConditioningBound = 10 * TrainingParity.GradTolerance;

    public static readonly string[] Phases = ["d_latent", "d_ref", "g_latent", "g_ref"];

    static readonly string[] NetOrder =
        [StarGanNets.GeneratorName, StarGanNets.MappingNetworkName, StarGanNets.StyleEncoderName, StarGanNets.DiscriminatorName];

    /// <summary>One gradient as the fixture names it, with what each comparison found (errors of scale: max |a - b| / max |b|).
    /// The arbiter is the official float64 gradient where the fixture has it, else ours.</summary>
    public sealed record Result(string Key, double OursVsOfficial32, double OfficialVsF64, double OursVsF64, double? OursF64VsOfficialF64,
                                bool Masked = false)
    {
        public double MathAllowed => Masked ? MaskedMathTolerance
            : Key.StartsWith("grad_d_ref") || Key.StartsWith("grad_g_ref") ? RebuiltMathTolerance : MathTolerance;
    }

    public static List<Result> Measure(ParityFixture fx, ExperimentConfig config, StepInputs x, Func<ScalarType, IFaceMasker?> masker)
    {
        var results = new List<Result>();
        foreach (var phase in Phases)
        {
            var keys = NetOrder.Where(n => fx.Has($"grad_{phase}_{n}.npy")).ToList();
            if (keys.Count == 0) continue;
            using var scope = NewDisposeScope();
            using var nets = Weights(fx, config, phase);
            var ours32 = Gradients(fx, nets, config, phase, x, masker(float32), keys);
            foreach (var (_, module) in nets.Modules) module.to(float64);
            var ours64 = Gradients(fx, nets, config, phase, To64(x), masker(float64), keys);
            foreach (var net in keys)
            {
                string key = $"grad_{phase}_{net}";
                var official = fx.Tensor(key);
                Tensor? officialF64 = fx.Has(key + "_f64.npy") ? fx.Tensor(key + "_f64") : null;
                var arbiter = officialF64 ?? ours64[net];
                results.Add(new Result(key, OfScale(ours32[net], official), OfScale(official, arbiter), OfScale(ours32[net], arbiter),
                    officialF64 is null ? null : OfScale(ours64[net], officialF64), Masked: masker(float64) != null));
            }
        }
        return results;
    }

    public static ParityCheck Judge(Result r) => Verdict(r) with
    {
        Measures = new Dictionary<string, double>
        {
            ["ours_f32_vs_official_f32"] = r.OursVsOfficial32,
            ["official_f32_vs_f64"] = r.OfficialVsF64,
            ["ours_f32_vs_f64"] = r.OursVsF64,
            ["ours_f64_vs_official_f64"] = r.OursF64VsOfficialF64 ?? double.NaN,
        },
    };

    static ParityCheck Verdict(Result r)
    {
        double tol = TrainingParity.GradTolerance;
        if (r.OursF64VsOfficialF64 is double math)
        {
            double allowed = Math.Max(tol, ConditioningFactor * r.OfficialVsF64);
            bool pass = math <= r.MathAllowed && r.OursVsF64 <= allowed;
            return new ParityCheck("gradients at the official's weights, float64 arbiter", r.Key, r.OursVsF64, r.OursVsF64, 1, allowed, pass,
                $"ours f64 vs official f64 {math:E1} (allowed {r.MathAllowed:E0}); to official f64: official f32 {r.OfficialVsF64:E2}, " +
                $"ours f32 {r.OursVsF64:E2}; ours f32 vs official f32 {r.OursVsOfficial32:E2}");
        }
        bool direct = r.OursVsOfficial32 <= tol;
        bool conditioned = r.OursVsF64 <= Math.Max(tol, r.OfficialVsF64) && r.OfficialVsF64 <= ConditioningBound;
        return new ParityCheck("gradients at the official's weights", r.Key, r.OursVsOfficial32, r.OursVsOfficial32, 1, tol, direct || conditioned,
            $"no official f64 file; our f64 vs official f32 {r.OfficialVsF64:E2} (allowed {ConditioningBound:E0}), vs ours f32 {r.OursVsF64:E2}");
    }

    /// <summary>max |a - b| / max |b|, in float64.</summary>
    public static double OfScale(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        var a64 = a.to(float64);
        var b64 = b.to(float64);
        double scale = b64.abs().max().item<double>();
        return (a64 - b64).abs().max().item<double>() / Math.Max(scale, 1e-300);
    }

    /// <summary>The networks at the weights the official <paramref name="phase"/> saw.</summary>
    static StarGanNets Weights(ParityFixture fx, ExperimentConfig config, string phase)
    {
        string step0 = fx.Checkpoint("000000_nets")!, step1 = fx.Checkpoint("000001_nets")!;
        var nets = FixtureCheckpoints.Load(fx, phase == "g_ref" ? step1 : step0, withDiscriminator: true);
        if (phase == "g_latent")
            using (var after = FixtureCheckpoints.Load(fx, step1, withDiscriminator: true, only: StarGanNets.DiscriminatorName))
                StateDicts.LoadStrict(nets.Discriminator!, after.Discriminator!.state_dict(), fx.PathOf(step1) + "[discriminator]");
        if (phase == "g_ref")
            using (var before = FixtureCheckpoints.Load(fx, step0, withDiscriminator: false, only: StarGanNets.GeneratorName))
                StateDicts.LoadStrict(nets.Generator, before.Generator.state_dict(), fx.PathOf(step0) + "[generator]");
        if (phase == "d_ref") AdamStep(fx, nets.Discriminator!, "grad_d_latent_discriminator", config.Optim);
        if (phase == "g_ref") AdamStep(fx, nets.Generator, "grad_g_latent_generator", config.Optim);
        return nets;
    }

    /// <summary>The official optimizer's first step with the fixture's recorded gradient <paramref name="key"/>.</summary>
    static void AdamStep(ParityFixture fx, nn.Module net, string key, OptimConfig o)
    {
        using var adam = new AdamL2(net.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), o.Lr, o.Beta1, o.Beta2, o.WeightDecay);
        fx.SetGradients(key, net, fx.Tensor(key));
        adam.Step();
        foreach (var p in net.parameters()) p.grad = null;
    }

    static Dictionary<string, Tensor> Gradients(ParityFixture fx, StarGanNets nets, ExperimentConfig config, string phase, StepInputs x,
                                                 IFaceMasker? masker, List<string> wanted)
    {
        // The networks the phase steps get gradients (as Trainer.Update); the others are frozen, which leaves every
        // gradient that flows through them unchanged.
        string[] stepped = phase switch
        {
            "d_latent" or "d_ref" => [StarGanNets.DiscriminatorName],
            "g_latent" => [StarGanNets.GeneratorName, StarGanNets.MappingNetworkName, StarGanNets.StyleEncoderName],
            _ => [StarGanNets.GeneratorName],
        };
        foreach (var (name, module) in nets.Modules)
            foreach (var p in module.parameters()) { p.requires_grad_(stepped.Contains(name)); p.grad = null; }
        var inputs = x with { Masks = masker?.Masks(x.XReal) };
        var w = config.Loss;
        // The official decays lambda_ds after the iteration, so every phase of the first one uses its initial value.
        Tensor loss = phase switch
        {
            "d_latent" => Objectives.Discriminator(nets, w, inputs, StyleSource.Latent).Loss,
            "d_ref" => Objectives.Discriminator(nets, w, inputs, StyleSource.Reference).Loss,
            "g_latent" => Objectives.Generator(nets, w, w.LambdaDs, inputs, StyleSource.Latent, masker).Loss,
            _ => Objectives.Generator(nets, w, w.LambdaDs, inputs, StyleSource.Reference, masker).Loss,
        };
        loss.backward();
        return wanted.ToDictionary(n => n, n => fx.FlatGradient($"grad_{phase}_{n}", nets[n]));
    }

    static StepInputs To64(StepInputs x) => x with
    {
        XReal = x.XReal.to(float64), XRef = x.XRef.to(float64), XRef2 = x.XRef2.to(float64),
        ZTrg = x.ZTrg.to(float64), ZTrg2 = x.ZTrg2.to(float64), Masks = null,
    };
}
