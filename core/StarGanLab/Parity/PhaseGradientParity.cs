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
                                bool Masked = false, double RoundingSpread = 0)
    {
        public double MathAllowed => Masked ? MaskedMathTolerance
            : Key.StartsWith("grad_d_ref") || Key.StartsWith("grad_g_ref") ? RebuiltMathTolerance : MathTolerance;
    }

    /// <summary>One loss value of the official log line at the weights its phase saw: ours in float32, with nudged inputs
    /// and in float64, and the official's (float32).</summary>
    public sealed record LossResult(string Key, double Ours32, double Nudged32, double Ours64, double Official);

    public static (List<Result> Gradients, List<LossResult> Losses) Measure(ParityFixture fx, ExperimentConfig config, StepInputs x,
                                                                        Func<ScalarType, IFaceMasker?> masker)
    {
        var results = new List<Result>();
        var terms = new Dictionary<string, (object F32, object Nudged, object F64)>();
        foreach (var phase in Phases)
        {
            var keys = NetOrder.Where(n => fx.Has($"grad_{phase}_{n}.npy")).ToList();
            using var scope = NewDisposeScope();
            using var nets = Weights(fx, config, phase);
            var ours32 = Phase(fx, nets, config, phase, x, masker(float32), keys);
            var nudged = Phase(fx, nets, config, phase, Nudged(x), masker(float32), keys);
            foreach (var (_, module) in nets.Modules) module.to(float64);
            var ours64 = Phase(fx, nets, config, phase, To64(x), masker(float64), keys);
            terms[phase] = (ours32.Terms, nudged.Terms, ours64.Terms);
            foreach (var net in keys)
            {
                string key = $"grad_{phase}_{net}";
                var official = fx.Tensor(key);
                Tensor? officialF64 = fx.Has(key + "_f64.npy") ? fx.Tensor(key + "_f64") : null;
                var arbiter = officialF64 ?? ours64.Grads[net];
                results.Add(new Result(key, OfScale(ours32.Grads[net], official), OfScale(official, arbiter), OfScale(ours32.Grads[net], arbiter),
                    officialF64 is null ? null : OfScale(ours64.Grads[net], officialF64), Masked: masker(float64) != null,
                    RoundingSpread: OfScale(nudged.Grads[net], ours32.Grads[net])));
            }
        }
        return (results, Losses(fx, config, terms));
    }

    static List<LossResult> Losses(ParityFixture fx, ExperimentConfig config, Dictionary<string, (object F32, object Nudged, object F64)> terms)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(fx.PathOf("losses.json")));
        var official = doc.RootElement.GetProperty("official_log_line_values");
        double lambdaDs = DiversitySchedule.Weight(config.Loss.LambdaDs, config.Loss.DsIter, 1);   // after the iteration's decay
        StepLosses Of(Func<(object F32, object Nudged, object F64), object> pick) => new(
            (DLosses)pick(terms["d_latent"]), (DLosses)pick(terms["d_ref"]), (GLosses)pick(terms["g_latent"]), (GLosses)pick(terms["g_ref"]), lambdaDs);
        var f32 = Of(t => t.F32).Flatten().ToList();
        var nudged = Of(t => t.Nudged).Flatten().ToDictionary(kv => kv.Key, kv => kv.Value);
        var f64 = Of(t => t.F64).Flatten().ToDictionary(kv => kv.Key, kv => kv.Value);
        return f32.Where(kv => official.TryGetProperty(kv.Key, out _))
                  .Select(kv => new LossResult(kv.Key, kv.Value, nudged[kv.Key], f64[kv.Key], official.GetProperty(kv.Key).GetDouble()))
                  .ToList();
    }

    /// <summary>A loss passes within <see cref="TrainingParity.LossTolerance"/> of the official's value (relative to
    /// max(1, |value|)), or, where float32 itself scatters, when ours is as close to our float64 value as twice the
    /// official's distance or twice what nudging the inputs by one ulp moves it (capped at the conditioning bound).</summary>
    public static ParityCheck JudgeLoss(LossResult r)
    {
        double scale = Math.Max(1, Math.Abs(r.Official));
        double direct = Math.Abs(r.Ours32 - r.Official) / scale;
        double ours = Math.Abs(r.Ours32 - r.Ours64) / scale, theirs = Math.Abs(r.Official - r.Ours64) / scale;
        double spread = Math.Abs(r.Nudged32 - r.Ours32) / scale;
        double allowed = Math.Max(TrainingParity.LossTolerance, Math.Max(ConditioningFactor * theirs, Math.Min(ConditioningFactor * spread, ConditioningBound)));
        bool pass = direct <= TrainingParity.LossTolerance || ours <= allowed;
        return new ParityCheck("losses at the official's weights", r.Key, Math.Abs(r.Ours32 - r.Official), direct, scale, TrainingParity.LossTolerance, pass,
            direct <= TrainingParity.LossTolerance ? "" : $"to our float64 value: ours {ours:E2}, official {theirs:E2}, nudged inputs move ours {spread:E2} (allowed {allowed:E2})");
    }

    public static ParityCheck Judge(Result r) => Verdict(r) with
    {
        Measures = new Dictionary<string, double>
        {
            ["ours_f32_vs_official_f32"] = r.OursVsOfficial32,
            ["official_f32_vs_f64"] = r.OfficialVsF64,
            ["ours_f32_vs_f64"] = r.OursVsF64,
            ["ours_f64_vs_official_f64"] = r.OursF64VsOfficialF64 ?? double.NaN,
            ["ours_f32_rounding_spread"] = r.RoundingSpread,
        },
    };

    static ParityCheck Verdict(Result r)
    {
        double tol = TrainingParity.GradTolerance;
        // Where float32 itself scatters (nudging the inputs by one ulp moves our float32 gradient as far), our distance
        // may be twice that spread; capped at the conditioning bound, far below the 1e-1 of a wrong kernel.
        double spreadAllowance = Math.Min(ConditioningFactor * r.RoundingSpread, ConditioningBound);
        if (r.OursF64VsOfficialF64 is double math)
        {
            double allowed = Math.Max(tol, Math.Max(ConditioningFactor * r.OfficialVsF64, spreadAllowance));
            bool pass = math <= r.MathAllowed && r.OursVsF64 <= allowed;
            return new ParityCheck("gradients at the official's weights, float64 arbiter", r.Key, r.OursVsF64, r.OursVsF64, 1, allowed, pass,
                $"ours f64 vs official f64 {math:E1} (allowed {r.MathAllowed:E0}); to official f64: official f32 {r.OfficialVsF64:E2}, " +
                $"ours f32 {r.OursVsF64:E2}; one-ulp input nudges move ours {r.RoundingSpread:E2}; ours f32 vs official f32 {r.OursVsOfficial32:E2}");
        }
        bool direct = r.OursVsOfficial32 <= tol;
        bool conditioned = r.OursVsF64 <= Math.Max(tol, Math.Max(r.OfficialVsF64, spreadAllowance)) && r.OfficialVsF64 <= ConditioningBound;
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

    /// <summary>The phase's objective at the networks' weights: its loss terms, and the gradients of the networks in
    /// <paramref name="wanted"/> in the fixture's layout.</summary>
    static (Dictionary<string, Tensor> Grads, object Terms) Phase(ParityFixture fx, StarGanNets nets, ExperimentConfig config, string phase,
                                                                 StepInputs x, IFaceMasker? masker, List<string> wanted)
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
        // The official decays lambda_ds after the iteration, so every phase of the first one uses its initial value.
        var c = new ObjectiveContext(nets, config.Loss, config.Loss.LambdaDs, masker);
        (Tensor loss, object terms) = phase switch
        {
            "d_latent" => Boxed(Objectives.Discriminator(c, inputs, Fake.From(StyleSource.Latent))),
            "d_ref" => Boxed(Objectives.Discriminator(c, inputs, Fake.From(StyleSource.Reference))),
            "g_latent" => Boxed(Objectives.Generator(c, inputs, Fake.From(StyleSource.Latent))),
            _ => Boxed(Objectives.Generator(c, inputs, Fake.From(StyleSource.Reference))),
        };
        loss.backward();
        return (wanted.ToDictionary(n => n, n => fx.FlatGradient($"grad_{phase}_{n}", nets[n])), terms);
    }

    static (Tensor, object) Boxed<T>((Tensor Loss, T Terms) r) where T : notnull => (r.Loss, r.Terms);

    /// <summary>The inputs moved by float32 rounding: each image pixel and latent value by one ulp at random.</summary>
    static StepInputs Nudged(StepInputs x)
    {
        var gen = new TorchSharp.torch.Generator(4242);
        Tensor Nudge(Tensor t) => (t.to(float64) * (1 + Math.Pow(2, -23) * (rand(t.shape, generator: gen, dtype: float64) - 0.5))).to(float32);
        return x with { XReal = Nudge(x.XReal), XRef = Nudge(x.XRef), XRef2 = Nudge(x.XRef2), ZTrg = Nudge(x.ZTrg), ZTrg2 = Nudge(x.ZTrg2) };
    }

    /// <summary>The inputs in float64 (labels stay integers; masks are the caller's to recompute).</summary>
    internal static StepInputs To64(StepInputs x) => x with
    {
        XReal = x.XReal.to(float64), XRef = x.XRef.to(float64), XRef2 = x.XRef2.to(float64),
        ZTrg = x.ZTrg.to(float64), ZTrg2 = x.ZTrg2.to(float64), Masks = null,
    };
}
