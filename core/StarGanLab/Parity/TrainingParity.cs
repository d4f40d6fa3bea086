using System.Text.Json;
using StarGanLab.Config;
using StarGanLab.Networks;
using StarGanLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Parity;

/// <summary>One official training iteration from the fixture's 000000 checkpoints and inputs: compares the four
/// loss dicts, the gradients each optimizer sees (grad_*.npy), and the 000001 nets and EMA nets.</summary>
public static class TrainingParity
{
    // Losses are scalars of the forward pass: same kernel-order noise as ForwardParity.
    public const double LossTolerance = 1e-5;
    // Gradients go through double backprop (R1) and long reductions: a little looser.
    public const double GradTolerance = 1e-4;
    // With beta1 = 0 the first Adam step is lr * (g + wd w) / (|g + wd w| + eps): about lr times a sign. Where the
    // gradient nearly cancels the weight decay, rounding decides the sign and the element moves by up to 2 lr per
    // optimizer step in either implementation (the fixture saw this between 1 and 2 torch threads). So updates are
    // compared in units of the network's lr: few elements may flip (a wrong gradient flips a large share), and none
    // may move by more than a flip per step.
    public const double FlipInLr = 0.1;
    public const double MaxFlippedFraction = 2e-3;
    public const double FlipBoundInLr = 2.05;

    /// <summary>The largest difference a sign flip in each of <paramref name="steps"/> Adam steps can make, in lr: step
    /// t moves an element by at most lr * sqrt((1 - beta2^t) / (1 - beta2)) (all earlier gradients zero), 1 lr at the
    /// first step and 1.41 lr at the second with beta2 = 0.99; a flip is twice that.</summary>
    public static double FlipBound(int steps, double beta2) =>
        FlipBoundInLr * Enumerable.Range(1, steps).Sum(t => Math.Sqrt((1 - Math.Pow(beta2, t)) / (1 - beta2)));
    // Parameters whose gradient is mathematically zero (pure rounding noise; MANIFEST "Cautions") get
    // irreproducible Adam updates of up to ~1.4 lr per step.
    public const double NoiseUpdateToleranceInLr = 5;
    // EMA after the step: ema0 - (ema0 - p1)(1 - beta); its error is (1 - beta) times the weights' plus rounding.
    public const double EmaTolerance = 1e-6;
    const double NoiseRatio = 1e-5;

    public static bool Applies(ParityFixture fx) =>
        fx.Checkpoint("000000_nets") != null && fx.Checkpoint("000001_nets") != null && fx.Has("losses.json");

    public static List<ParityCheck> Run(ParityFixture fx, Action<string>? log = null)
    {
        using var gcHeldOff = new Native.NoGcRegion();   // see NoGcRegion: TorchSharp's implicit Scalars race the finalizer
        var checks = new List<ParityCheck>();
        var config = ConfigOf(fx);
        // A full fixture with w_hpf > 0 carries the FAN it was made with (wing.ckpt): masks of x_real for every phase
        // and of the fake for the cycle term, as in training.
        using var masker32 = Masker(fx, float32, log);
        using var masker64 = Masker(fx, float64, log);
        using var nets = FixtureCheckpoints.Load(fx, fx.Checkpoint("000000_nets")!, withDiscriminator: true);
        using var ema = FixtureCheckpoints.Load(fx, fx.Checkpoint("000000_nets_ema")!, withDiscriminator: false);
        using var trainer = new Trainer(nets, ema, config, masker32);

        var x = new StepInputs(fx.Tensor("x_real"), fx.Tensor("y_org"), fx.Tensor("x_ref"), fx.Tensor("x_ref2"),
                               fx.Tensor("y_trg"), fx.Tensor("z_trg"), fx.Tensor("z_trg2"));
        trainer.TrainStep(x with { Masks = masker32?.Masks(x.XReal) });

        // Losses and gradients are compared at the weights each official phase saw (see PhaseGradientParity): the step's
        // own later phases run at our weights, which differ from the official's where rounding flipped an Adam sign.
        var (gradients, lossValues) = PhaseGradientParity.Measure(fx, config, x, dtype => dtype == float64 ? masker64 : masker32);
        checks.AddRange(lossValues.Select(PhaseGradientParity.JudgeLoss));
        checks.AddRange(gradients.Select(PhaseGradientParity.Judge));

        // The weights after the iteration are judged against the same iteration run in float64 (our float64 step is
        // the official math: the gradient checks above compare it with the official float64 gradients where the
        // fixture has them). Both float32 steps flip some Adam signs against it where a gradient nearly cancels the
        // weight decay; ours may flip up to twice as many elements as the official's, or the fixed allowance.
        var noise = NoiseParameters(fx);
        using var initial = FixtureCheckpoints.Load(fx, fx.Checkpoint("000000_nets")!, withDiscriminator: true);
        using var after = FixtureCheckpoints.Load(fx, fx.Checkpoint("000001_nets")!, withDiscriminator: true);
        using var exact = Float64Step(fx, config, x, masker64);
        foreach (var (name, module) in nets.Modules)
        {
            int steps = name is StarGanNets.GeneratorName or StarGanNets.DiscriminatorName ? 2 : 1;
            double lr = trainer.Optimizers[name].Lr;
            var theirs = CompareUpdates(name, after[name], initial[name], exact[name], lr, steps, config.Optim.Beta2, noise, 1, "");
            double allowed = Math.Max(MaxFlippedFraction, PhaseGradientParity.ConditioningFactor * theirs.MaxRel);
            var c = CompareUpdates(name, module, initial[name], exact[name], lr, steps, config.Optim.Beta2, noise, allowed, "weights after 1 iteration, against our float64 iteration");
            checks.Add(c with { Note = c.Note + $"; the official's: {theirs.MaxRel:P2} of elements, max {theirs.MaxAbs / lr:F2} lr" });
        }
        if (fx.Checkpoint("000001_nets_ema") is { } emaAfterFile)
        {
            using var emaAfter = FixtureCheckpoints.Load(fx, emaAfterFile, withDiscriminator: false);
            foreach (var (name, module) in ema.Modules)
            {
                var want = emaAfter[name].state_dict();
                using var ours = cat(module.state_dict().Select(kv => kv.Value.flatten()).ToArray());
                using var theirs = cat(module.state_dict().Select(kv => want[kv.Key].flatten()).ToArray());
                var c = ParityCheck.Compare("ema after 1 iteration", name, ours, theirs, EmaTolerance);
                checks.Add(c with { MaxRel = c.MaxAbs, Pass = c.MaxAbs <= EmaTolerance, Note = "absolute" });
            }
        }
        return checks;
    }

    /// <summary>The FAN masker of a full w_hpf fixture in <paramref name="dtype"/>, or null.</summary>
    static FanMasker? Masker(ParityFixture fx, ScalarType dtype, Action<string>? log)
    {
        if (fx.Model.WHpf <= 0 || !fx.Has(FanParity.WingFile)) return null;
        var masker = FanMasker.Load(fx.PathOf(FanParity.WingFile), CPU, log ?? (_ => { }));
        masker.Fan.to(dtype);
        return masker;
    }

    /// <summary>The training networks after our iteration from the fixture's step 0, computed in float64.</summary>
    static StarGanNets Float64Step(ParityFixture fx, ExperimentConfig config, StepInputs x, IFaceMasker? masker64)
    {
        var nets = FixtureCheckpoints.Load(fx, fx.Checkpoint("000000_nets")!, withDiscriminator: true);
        using var ema = FixtureCheckpoints.Load(fx, fx.Checkpoint("000000_nets_ema")!, withDiscriminator: false);
        foreach (var (_, m) in nets.Modules.Concat(ema.Modules)) m.to(float64);
        using var trainer = new Trainer(nets, ema, config, masker64);
        var x64 = PhaseGradientParity.To64(x);
        trainer.TrainStep(x64 with { Masks = masker64?.Masks(x64.XReal) });
        return nets;
    }

    /// <summary>Compares the update (ours - initial) with (theirs - initial) elementwise in units of lr.</summary>
    static ParityCheck CompareUpdates(string net, nn.Module ours, nn.Module initial, nn.Module theirs,
                                      double lr, int steps, double beta2, HashSet<string> noise, double allowedFraction, string group)
    {
        using var scope = NewDisposeScope();
        var init = initial.state_dict();
        var want = theirs.state_dict();
        double worst = 0, worstNoise = 0, maxAbs = 0;
        long flipped = 0, total = 0;
        string worstKey = "";
        foreach (var (key, t) in ours.state_dict())
        {
            if (!t.is_floating_point()) continue;
            var diffLr = (((t.to(float64) - init[key].to(float64)) - (want[key].to(float64) - init[key].to(float64))).abs() / lr);
            double d = diffLr.max().item<double>();
            maxAbs = Math.Max(maxAbs, d * lr);
            if (noise.Contains($"{net}.{key}")) { worstNoise = Math.Max(worstNoise, d); continue; }
            flipped += (diffLr > FlipInLr).sum().item<long>();
            total += t.numel();
            if (d > worst) (worst, worstKey) = (d, key);
        }
        double fraction = total == 0 ? 0 : (double)flipped / total;
        double bound = FlipBound(steps, beta2);
        bool pass = fraction <= allowedFraction && worst <= bound && worstNoise <= NoiseUpdateToleranceInLr;
        string note = $"{flipped}/{total} elements differ by > {FlipInLr} lr (allowed {allowedFraction:P2}); max {worst:F2} lr at {worstKey} (allowed {bound:F2})"
                      + (worstNoise > 0 ? $"; rounding-noise params max {worstNoise:F2} lr (allowed {NoiseUpdateToleranceInLr})" : "");
        return new ParityCheck(group, net, maxAbs, fraction, lr, allowedFraction, pass, note);
    }

    /// <summary>"net.param" whose gradient is below 1e-5 of its network's largest in a phase that steps it
    /// (grad_stats.json absmax_over_net_absmax): mathematically zero, numerically noise.</summary>
    static HashSet<string> NoiseParameters(ParityFixture fx)
    {
        var set = new HashSet<string>();
        if (!fx.Has("grad_stats.json")) return set;
        using var doc = JsonDocument.Parse(File.ReadAllText(fx.PathOf("grad_stats.json")));
        foreach (var phase in doc.RootElement.EnumerateObject())
        {
            string net = phase.Name.Split('/')[1];
            foreach (var p in phase.Value.EnumerateObject())
                if (p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("absmax_over_net_absmax", out var r) && r.GetDouble() < NoiseRatio)
                    set.Add($"{net}.{p.Name}");
        }
        return set;
    }

    static ExperimentConfig ConfigOf(ParityFixture fx) => new("parity-" + fx.Name)
    {
        Model = fx.Model,
        Loss = new LossConfig(fx.Double("lambda_reg", 1), fx.Double("lambda_sty", 1), fx.Double("lambda_ds", 1),
                              fx.Double("lambda_cyc", 1), (int)fx.Double("ds_iter", 100000)),
        Optim = new OptimConfig(fx.Double("lr", 1e-4), fx.Double("f_lr", 1e-6), fx.Double("beta1", 0),
                                fx.Double("beta2", 0.99), fx.Double("weight_decay", 1e-4), fx.Double("ema_beta", 0.999)),
    };
}
