using TorchSharp;
using StarGanLab.Checkpoints;
using StarGanLab.Config;
using StarGanLab.Networks;
using StarGanLab.Training;
using static TorchSharp.torch;

namespace StarGanLab.Parity;

/// <summary>The G reference phase's gradient, at the official's own weights and against the exact gradient.
/// G after the latent phase is rebuilt from 000000 by one Adam step with the official g_latent gradient
/// (grad_g_latent_generator.npy); E and D come from 000001, as neither is stepped from the latent G phase on.</summary>
/// <remarks>This phase's float32 gradient is ill-conditioned: LeakyReLU kinks and L1 terms make it jump where an
/// argument sits within rounding of zero. At the basic fixture the official's own float32 gradient is 4.5e-4 (of
/// the largest) away from the same computation in float64 at the same weights, beyond the 1e-4 gradient tolerance,
/// and any change of summation order (thread count, kernel) lands on one side or the other. So the check asks what
/// can be asked: that ours is at least as close to the float64 gradient as the official's is (or within the
/// tolerance), and that the official's is close to it (so the float64 computation, ours, is the official math).
/// Taken at our own weights after the latent step instead, the comparison would also carry the rounding-noise
/// parameters that differ by up to 2 lr (fixture MANIFEST); the weights after the iteration check that chain.</remarks>
static class ReferencePhaseParity
{
    public const string Key = "grad_g_ref_generator";
    /// <summary>How far the official float32 gradient may be from float64 before we call the fixture unusable here.</summary>
    public const double ConditioningBound = 10 * TrainingParity.GradTolerance;

    public static bool Applies(ParityFixture fx) =>
        TrainingParity.Applies(fx) && fx.Has(Key + ".npy") && fx.Has("grad_g_latent_generator.npy");

    public static ParityCheck Run(ParityFixture fx, ExperimentConfig config, StepInputs x)
    {
        using var nets = FixtureCheckpoints.Load(fx, "000001_nets.ckpt", withDiscriminator: true);
        using (var initial = FixtureCheckpoints.Load(fx, "000000_nets.ckpt", withDiscriminator: false, only: StarGanNets.GeneratorName))
            StateDicts.LoadStrict(nets.Generator, initial.Generator.state_dict(), fx.PathOf("000000_nets.ckpt") + "[generator]");
        var g = nets.Generator;
        var o = config.Optim;
        using (var adam = new AdamL2(g.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), o.Lr, o.Beta1, o.Beta2, o.WeightDecay))
        {
            SetGradients(g, fx.Tensor("grad_g_latent_generator"));
            adam.Step();
        }
        foreach (var (name, module) in nets.Modules)
            foreach (var p in module.parameters()) p.requires_grad_(name == StarGanNets.GeneratorName);

        using var scope = NewDisposeScope();
        var ours = Gradient(nets, config, x);
        foreach (var (_, module) in nets.Modules) module.to(float64);
        var exact = Gradient(nets, config, new StepInputs(x.XReal.to(float64), x.YOrg, x.XRef.to(float64), x.XRef2.to(float64),
                                                          x.YTrg, x.ZTrg.to(float64), x.ZTrg2.to(float64)));
        var official = fx.Tensor(Key);
        var check = ParityCheck.Compare("gradients", Key + " at the official's weights", ours, official, TrainingParity.GradTolerance);
        double officialError = ParityCheck.Compare("", "", official, exact, 0).MaxRel;
        double ourError = ParityCheck.Compare("", "", ours, exact, 0).MaxRel;
        bool pass = check.MaxRel <= TrainingParity.GradTolerance
                    || (ourError <= Math.Max(TrainingParity.GradTolerance, officialError) && officialError <= ConditioningBound);
        return check with
        {
            Pass = pass,
            Note = $"float64 gradient vs official float32 {officialError:E2} (allowed {ConditioningBound:E0}), vs ours {ourError:E2} (allowed the larger of that and the tolerance)",
        };
    }

    static Tensor Gradient(StarGanNets nets, ExperimentConfig config, StepInputs x)
    {
        var parameters = nets.Generator.parameters().ToArray();
        foreach (var p in parameters) p.grad = null;
        // The official decays lambda_ds after the iteration, so the reference phase uses its initial value.
        var (loss, _) = Objectives.Generator(nets, config.Loss, config.Loss.LambdaDs, x, StyleSource.Reference, masker: null);
        loss.backward();
        return TrainingParity.FlatGradient(parameters);
    }

    static void SetGradients(nn.Module net, Tensor flat)
    {
        long offset = 0;
        foreach (var p in net.parameters())
        {
            p.grad = flat.narrow(0, offset, p.numel()).view(p.shape).clone();
            offset += p.numel();
        }
    }
}
