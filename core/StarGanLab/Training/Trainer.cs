using StarGanLab.Config;
using StarGanLab.Networks;
using static TorchSharp.torch;

namespace StarGanLab.Training;

/// <summary>Owns the networks, their EMA copies and one Adam per network, and performs StarGAN v2 iterations
/// in the official order. Logging, samples and checkpoints are hooks around <see cref="TrainStep"/>, not part of it.</summary>
public sealed class Trainer : IDisposable
{
    public StarGanNets Nets { get; }
    /// <summary>The EMA networks that draw samples and are evaluated; with optim.ema false, the training G, F and E
    /// themselves (a view without D, see <see cref="StarGanNets.WithoutDiscriminator"/>).</summary>
    public StarGanNets Ema { get; }
    public ExperimentConfig Config { get; }
    public IReadOnlyDictionary<string, AdamL2> Optimizers { get; }
    public IFaceMasker? Masker { get; }

    /// <summary>The networks the latent-guided G phase steps: G, and F and E where the variant has them.</summary>
    readonly string[] latentStepped;

    /// <summary>Iterations completed; the next TrainStep is iteration Step (0-based).</summary>
    public long Step { get; set; }

    /// <summary>Called after each backward, just before the optimizers of that phase step
    /// ("d_latent", "d_ref", "g_latent", "g_ref"): lets parity checks and debugging read gradients.</summary>
    public Action<string>? BeforeOptimizerStep { get; set; }

    /// <summary>Called when a phase is complete ("d_latent", "d_ref", "g_latent", "g_ref", "ema"): lets benchmarks
    /// time each phase without the step knowing about timing.</summary>
    public Action<string>? PhaseCompleted { get; set; }

    public Trainer(StarGanNets nets, StarGanNets ema, ExperimentConfig config, IFaceMasker? masker = null)
    {
        if (config.Model.WHpf > 0 && masker is null)
            throw new ArgumentException("model.w_hpf > 0 needs FAN masks (fan.wing_path); pass a face masker");
        (Nets, Ema, Config, Masker) = (nets, ema, config, masker);
        if (!config.Optim.Ema && !ReferenceEquals(ema.Generator, nets.Generator))
            throw new ArgumentException("optim.ema is false: pass the training networks as the EMA set (StarGanNets.Build(model, device, seed, ema: false))");
        latentStepped = nets.Modules.Select(m => m.Name).Where(n => n != StarGanNets.DiscriminatorName).ToArray();
        var o = config.Optim;
        Optimizers = nets.Modules.ToDictionary(
            m => m.Name,
            m => new AdamL2(m.Module.named_parameters().Select(p => (p.name, (Tensor)p.parameter)),
                            m.Name == StarGanNets.MappingNetworkName ? o.FLr : o.Lr, o.Beta1, o.Beta2, o.WeightDecay));
    }

    public double LambdaDs => DiversitySchedule.Weight(Config.Loss.LambdaDs, Config.Loss.DsIter, Step);

    /// <summary>One iteration (paper section 3.2 and the official Solver.train): D with a latent-guided fake,
    /// D with a reference-guided fake, G with latent codes (updates G, F, E), G with references (updates G),
    /// then the EMA of G, F and E. Variants without style codes have no references, so their two reference phases
    /// are not run (logged as 0): one D and one G update per iteration, as StarGAN v1. With optim.ema false there is
    /// no EMA update.</summary>
    public StepLosses TrainStep(StepInputs x)
    {
        using var gcHeldOff = new Native.NoGcRegion();   // see NoGcRegion: TorchSharp's implicit Scalars race the finalizer
        using var scope = NewDisposeScope();
        double lambdaDs = LambdaDs;
        var w = Config.Loss;
        bool references = Nets.Model.HasReferences();

        // Only D steps between the D and G latent phases, so both train on the same latent-guided fake: made once,
        // with its graph for the G phase (the official makes it twice, first without a graph). Same values, one
        // G and one F pass fewer per iteration; its graph is held through the D phases. The reference-guided fake
        // of the D phase is also made by these G weights from x_real, so it reuses the fake's encoding of x_real.
        SetRequiresGrad(all: false, latentStepped);
        var latentFake = Objectives.Translate(Nets, x, StyleSource.Latent);

        var dLatent = Update("d_latent", () => Objectives.Discriminator(Nets, w, x, StyleSource.Latent, latentFake),
            StarGanNets.DiscriminatorName);
        var dRef = references
            ? Update("d_ref", () => Objectives.Discriminator(Nets, w, x, StyleSource.Reference, content: latentFake.Content),
                     StarGanNets.DiscriminatorName)
            : DLosses.Skipped;
        var gLatent = Update("g_latent", () => Objectives.Generator(Nets, w, lambdaDs, x, StyleSource.Latent, Masker, latentFake),
            latentStepped);
        var gRef = references
            ? Update("g_ref", () => Objectives.Generator(Nets, w, lambdaDs, x, StyleSource.Reference, Masker), StarGanNets.GeneratorName)
            : GLosses.Skipped;
        SetRequiresGrad(all: true);

        if (Config.Optim.Ema)
        {
            foreach (var (name, ema) in Ema.Modules)
                Training.Ema.Update(Nets[name], ema, Config.Optim.EmaBeta);
            PhaseCompleted?.Invoke("ema");
        }
        Step++;
        return new StepLosses(dLatent, dRef, gLatent, gRef, LambdaDs);
    }

    /// <summary>Builds the objective with parameter gradients enabled only for the networks this phase steps,
    /// backpropagates and steps them. The official backward also computes weight gradients of networks it does not
    /// step (D in both G phases, E in the reference phase) and discards them; freezing those parameters keeps every
    /// gradient that flows through them to the generator, so what is updated is unchanged.</summary>
    T Update<T>(string phase, Func<(Tensor Loss, T Terms)> objective, params string[] stepped)
    {
        SetRequiresGrad(all: false, stepped);
        foreach (var name in stepped) Optimizers[name].ZeroGrad();
        // A scope per phase: the phase's activations are released before the next phase allocates its own,
        // which keeps the peak at one phase's working set instead of the whole iteration's.
        using var scope = NewDisposeScope();
        var (loss, terms) = objective();
        loss.backward();
        BeforeOptimizerStep?.Invoke(phase);
        foreach (var name in stepped) Optimizers[name].Step();
        PhaseCompleted?.Invoke(phase);
        return terms;
    }

    void SetRequiresGrad(bool all, params string[] enabled)
    {
        foreach (var (name, module) in Nets.Modules)
        {
            bool on = all || enabled.Contains(name);
            foreach (var p in module.parameters())
                if (p.requires_grad != on) p.requires_grad_(on);
        }
    }

    public void Dispose()
    {
        foreach (var opt in Optimizers.Values) opt.Dispose();
    }
}
