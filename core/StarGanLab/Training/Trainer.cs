using StarGanLab.Config;
using StarGanLab.Networks;
using static TorchSharp.torch;

namespace StarGanLab.Training;

/// <summary>Owns the networks, their EMA copies and one Adam per network, and performs StarGAN v2 iterations
/// in the official order. Logging, samples and checkpoints are hooks around <see cref="TrainStep"/>, not part of it;
/// the losses are in <see cref="Objectives"/>, and the speed optimisations are the named methods at the end.</summary>
public sealed class Trainer : IDisposable
{
    public StarGanNets Nets { get; }
    /// <summary>The EMA networks that draw samples and are evaluated; with optim.ema false, the training G, F and E
    /// themselves (a view without D, see <see cref="StarGanNets.WithoutDiscriminator"/>).</summary>
    public StarGanNets Ema { get; }
    public ExperimentConfig Config { get; }
    public IReadOnlyDictionary<string, AdamL2> Optimizers { get; }
    public IFaceMasker? Masker { get; }

    /// <summary>One update of Algorithm 1: its name (for hooks), the networks it steps, and whether this variant runs
    /// it (variants without style codes have no references, so no reference phases).</summary>
    sealed record Phase(string Name, string[] Stepped, bool Runs = true);

    readonly Phase dLatent, dRef, gLatent, gRef;

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
        string[] d = [StarGanNets.DiscriminatorName];
        string[] gfe = nets.Modules.Select(m => m.Name).Where(n => n != StarGanNets.DiscriminatorName).ToArray();   // G, and F and E where the variant has them
        bool references = nets.Model.HasReferences();
        dLatent = new Phase("d_latent", d);
        dRef = new Phase("d_ref", d, references);
        gLatent = new Phase("g_latent", gfe);
        gRef = new Phase("g_ref", [StarGanNets.GeneratorName], references);
        var o = config.Optim;
        Optimizers = nets.Modules.ToDictionary(
            m => m.Name,
            m => new AdamL2(m.Module.named_parameters().Select(p => (p.name, (Tensor)p.parameter)),
                            m.Name == StarGanNets.MappingNetworkName ? o.FLr : o.Lr, o.Beta1, o.Beta2, o.WeightDecay));
    }

    public double LambdaDs => DiversitySchedule.Weight(Config.Loss.LambdaDs, Config.Loss.DsIter, Step);

    /// <summary>One iteration: Algorithm 1 of the paper, in the official Solver.train's order. Variants without style
    /// codes have no reference phases (logged as 0): one D and one G update per iteration, as StarGAN v1. With
    /// optim.ema false there is no EMA update. With train.accumulate K &gt; 1 every phase runs its objective on K
    /// micro-batches of <paramref name="x"/>, summing their share-weighted gradients, and steps once.</summary>
    public StepLosses TrainStep(StepInputs x)
    {
        using var gcHeldOff = new Native.NoGcRegion();   // see NoGcRegion: TorchSharp's implicit Scalars race the finalizer
        using var precision = Kernels.ConvKernel.ComputeIn(Config.Train.Precision);   // the step only: samples and evaluation stay float32
        using var scope = NewDisposeScope();
        var c = new ObjectiveContext(Nets, Config.Loss, LambdaDs, Masker);
        var parts = MicroBatches.Split(x, Config.Train.Accumulate);
        var fakes = parts.Count == 1 ? [OneLatentFakeForDAndG(x)] : parts.Select(p => DiscriminatorFakesWithoutGraph(p.Inputs)).ToArray();

        var dLatentTerms = Update(dLatent, parts, j => Objectives.Discriminator(c, parts[j].Inputs, fakes[j].DLatent), MicroBatches.Join)!;
        var dRefTerms = Update(dRef, parts, j => Objectives.Discriminator(c, parts[j].Inputs, fakes[j].DRef), MicroBatches.Join) ?? DLosses.Skipped;
        var gLatentTerms = Update(gLatent, parts, j => Objectives.Generator(c, parts[j].Inputs, fakes[j].GLatent), MicroBatches.Join)!;
        var gRefTerms = Update(gRef, parts, j => Objectives.Generator(c, parts[j].Inputs, fakes[j].GRef), MicroBatches.Join) ?? GLosses.Skipped;
        UnfreezeAll();
        UpdateEma();

        Step++;
        return new StepLosses(dLatentTerms, dRefTerms, gLatentTerms, gRefTerms, LambdaDs);
    }

    /// <summary>The fake each phase of one (micro-)batch trains on or judges.</summary>
    sealed record PhaseFakes(Fake DLatent, Fake DRef, Fake GLatent, Fake GRef);

    /// <summary>One phase: build the objective of each micro-batch, backpropagate it scaled by its share (gradients
    /// accumulate), step the phase's networks once. Null when the variant does not run the phase.</summary>
    T? Update<T>(Phase phase, IReadOnlyList<MicroBatch> parts, Func<int, (Tensor Loss, T Terms)> objective,
                 Func<IReadOnlyList<(T, double)>, T> join) where T : class
    {
        if (!phase.Runs) return null;
        FreezeAllBut(phase.Stepped);
        foreach (var name in phase.Stepped) Optimizers[name].ZeroGrad();
        using (ReleasedAtPhaseEnd())
        {
            var terms = new (T, double)[parts.Count];
            for (int j = 0; j < parts.Count; j++)
                terms[j] = (Backward(parts[j].Share, () => objective(j)), parts[j].Share);
            BeforeOptimizerStep?.Invoke(phase.Name);
            foreach (var name in phase.Stepped) Optimizers[name].Step();
            PhaseCompleted?.Invoke(phase.Name);
            return parts.Count == 1 ? terms[0].Item1 : join(terms);
        }
    }

    /// <summary>Backpropagates one micro-batch's loss, scaled by its share of the batch (the whole batch: as is).</summary>
    static T Backward<T>(double share, Func<(Tensor Loss, T Terms)> objective)
    {
        if (share == 1)
        {
            var (loss, terms) = objective();
            loss.backward();
            return terms;
        }
        using (ReleasedAtMicroBatchEnd())
        {
            var (loss, terms) = objective();
            (loss * share).backward();
            return terms;
        }
    }

    void UpdateEma()
    {
        if (!Config.Optim.Ema) return;
        foreach (var (name, ema) in Ema.Modules)
            Training.Ema.Update(Nets[name], ema, Config.Optim.EmaBeta);
        PhaseCompleted?.Invoke("ema");
    }

    // ---- speed: each of these changes how much is computed, never what -------------------------------------------

    /// <summary>Speed: only D steps between D's and G's latent phases, so both train on one latent-guided fake, made
    /// here with the graph G's phase backpropagates through (the official makes it twice, first without a graph):
    /// one G and one F pass fewer per iteration, same values. Its graph is held through the D phases, so this is
    /// done only without accumulation: K graphs held at once would undo what the micro-batches save.</summary>
    PhaseFakes OneLatentFakeForDAndG(StepInputs x)
    {
        FreezeAllBut(gLatent.Stepped);
        var latentFake = new Fake(StyleSource.Latent, Objectives.Translate(Nets, x, StyleSource.Latent));
        return new PhaseFakes(latentFake, ReferenceFakeFromSameEncoding(latentFake), latentFake, Fake.From(StyleSource.Reference));
    }

    /// <summary>With accumulation, D's two fakes of each micro-batch are made up front without a graph (as the
    /// official makes D's fakes), the reference one from the latent one's encoding: the G weights do not change
    /// before the G latent phase, so the values are those D would see made in its phases. Only the images are
    /// kept (K micro-batches' worth is one batch of images); the G phases make their fakes, with graphs, themselves.</summary>
    PhaseFakes DiscriminatorFakesWithoutGraph(StepInputs x)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var latent = Objectives.Translate(Nets, x, StyleSource.Latent);
        var latentFake = new Fake(StyleSource.Latent, new Translation(latent.Style.MoveToOuterDisposeScope(), latent.Image.MoveToOuterDisposeScope(), null));
        var referenceFake = Fake.From(StyleSource.Reference);   // not judged where the variant has no reference phases
        if (dRef.Runs)
        {
            var reference = Objectives.Translate(Nets, x, StyleSource.Reference, content: latent.Content);
            referenceFake = new Fake(StyleSource.Reference, new Translation(reference.Style.MoveToOuterDisposeScope(), reference.Image.MoveToOuterDisposeScope(), null));
        }
        return new PhaseFakes(latentFake, referenceFake, Fake.From(StyleSource.Latent), Fake.From(StyleSource.Reference));
    }

    /// <summary>Speed: D's reference-guided fake comes from the same x_real through the same G weights as the latent
    /// fake, and G's encoder does not see the style code, so it reuses that encoding: only the decoder runs again.</summary>
    static Fake ReferenceFakeFromSameEncoding(Fake latentFake) => new(StyleSource.Reference, Content: latentFake.Made!.Content);

    /// <summary>Speed: weight gradients are computed only for the networks a phase steps. The official backward also
    /// computes those of D in both G phases and of E in the reference phase, then discards them; freezing those
    /// parameters keeps every gradient that flows through them to the generator, so what is updated is unchanged.</summary>
    void FreezeAllBut(string[] stepped) => SetRequiresGrad(name => stepped.Contains(name));

    void UnfreezeAll() => SetRequiresGrad(_ => true);

    void SetRequiresGrad(Func<string, bool> on)
    {
        foreach (var (name, module) in Nets.Modules)
        {
            bool enabled = on(name);
            foreach (var p in module.parameters())
                if (p.requires_grad != enabled) p.requires_grad_(enabled);
        }
    }

    /// <summary>Speed (memory): a scope per phase releases its activations before the next phase allocates its own,
    /// which keeps the peak at one phase's working set instead of the whole iteration's.</summary>
    static IDisposable ReleasedAtPhaseEnd() => NewDisposeScope();

    /// <summary>Memory: with accumulation, a scope per micro-batch releases its activations before the next one's
    /// forward, which keeps the peak at one micro-batch's working set.</summary>
    static IDisposable ReleasedAtMicroBatchEnd() => NewDisposeScope();

    public void Dispose()
    {
        foreach (var opt in Optimizers.Values) opt.Dispose();
    }
}
