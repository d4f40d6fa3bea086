using System.Diagnostics;
using StarGanLab.Config;
using StarGanLab.Data;
using StarGanLab.Native;
using StarGanLab.Networks;
using StarGanLab.Runs;
using StarGanLab.Security;
using StarGanLab.Training.Hooks;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Training;

/// <summary>A training run: networks, optimizers, data and hooks for one run directory, started fresh or resumed
/// from its newest complete checkpoint so that N iterations, stop, resume, M iterations equals N+M in one go.</summary>
public sealed class TrainingSession : IDisposable
{
    readonly IBatchSource data;
    readonly Device device;
    readonly FanMasker? masker;   // the FAN, when model.w_hpf > 0
    public Trainer Trainer { get; }
    public TrainContext Context { get; }
    public ExperimentConfig Config { get; }
    public RunDirectory Run { get; }

    TrainingSession(ExperimentConfig cfg, RunDirectory run, Action<string> log, bool resume)
    {
        (Config, Run) = (cfg, run);
        log = SecretRedactor.Wrap(log);   // config secrets and tracking credentials never reach a log line
        device = TorchRuntime.Initialize(cfg.Device, cfg.Threads);
        // Loaded before seeding: building the FAN draws default-init weights from the global RNG, which would
        // otherwise shift the networks' initialisation relative to a w_hpf = 0 run of the same seed.
        masker = cfg.Model.WHpf > 0 ? FanMasker.Load(cfg.Fan.WingPath, device, log) : null;
        try
        {
            (Trainer, Context, data) = Build(cfg, run, log, resume);
        }
        catch
        {
            masker?.Dispose();
            throw;
        }
    }

    (Trainer, TrainContext, IBatchSource) Build(ExperimentConfig cfg, RunDirectory run, Action<string> log, bool resume)
    {
        var (trainImages, valImages) = DataSources.Open(cfg, log);
        DataSources.CheckDomains(cfg, trainImages);

        manual_seed(cfg.Seed);
        var (nets, ema) = StarGanNets.Build(cfg.Model, device);
        var trainer = new Trainer(nets, ema, cfg, masker);
        var latentRng = new torch.Generator((ulong)cfg.Seed);

        long dataPosition = 0;
        if (resume)
        {
            var steps = TrainerCheckpoints.CompleteSteps(run.CheckpointDir);
            if (steps.Count == 0)
                throw new InvalidOperationException($"{run.Path} has no complete checkpoint to resume from (looked in {run.CheckpointDir})");
            dataPosition = TrainerCheckpoints.Load(trainer, latentRng, run.CheckpointDir, steps[0]);
            log($"resumed {run.Name} at step {steps[0]}");
        }

        var batchOptions = new BatchOptions(cfg.Model.ImgSize, cfg.Train.BatchSize, cfg.Seed, Workers: cfg.Data.Workers, PrefetchDepth: cfg.Data.Prefetch);
        IBatchSource source = cfg.Data.Workers > 0
            ? new PrefetchingBatchSource(trainImages, batchOptions, dataPosition)
            : new BatchSource(trainImages, batchOptions, dataPosition);
        int perDomain = Math.Max(1, Math.Min(cfg.Train.ValBatchSize, 8) / cfg.Model.NumDomains);
        var context = new TrainContext
        {
            Trainer = trainer, Run = run, Config = cfg, LatentRng = latentRng, Log = log,
            Val = ValidationImages.FirstPerDomain(valImages, perDomain, cfg.Model.ImgSize),
            DataPosition = () => source.BatchIndex,
        };
        return (trainer, context, source);
    }

    /// <summary>A new run in a new directory; writes the resolved config first.</summary>
    public static TrainingSession Start(ExperimentConfig cfg, RunDirectory run, Action<string> log)
    {
        try
        {
            run.WriteText(RunDirectory.ConfigFileName, ConfigWriter.ToYaml(cfg));
            return new TrainingSession(cfg, run, log, resume: false);
        }
        catch (Exception e) when (SecretRedactor.Leaks(e)) { throw SecretRedactor.Scrub(e); }
    }

    /// <summary>Continues a run from its newest complete checkpoint with its own resolved config
    /// (optionally with overrides such as a longer train.total_iters).</summary>
    public static TrainingSession Resume(RunDirectory run, IReadOnlyList<string> overrides, Action<string> log)
    {
        try
        {
            var cfg = ConfigLoader.Load(run.ConfigFile, overrides);
            if (overrides.Count > 0) run.WriteText(RunDirectory.ConfigFileName, ConfigWriter.ToYaml(cfg));
            return new TrainingSession(cfg, run, log, resume: true);
        }
        catch (Exception e) when (SecretRedactor.Leaks(e)) { throw SecretRedactor.Scrub(e); }
    }

    /// <summary>Trains until train.total_iters or until <paramref name="stop"/> is signalled (the current step is
    /// finished first). Hooks run after every step and once at the end, also after a stop or a failure.</summary>
    public void Train(IReadOnlyList<ITrainHook> hooks, CancellationToken stop = default)
    {
        foreach (var h in hooks) h.BeforeTrain(Context);
        var watch = Stopwatch.StartNew();
        long timedFrom = Trainer.Step;
        try
        {
            while (Trainer.Step < Config.Train.TotalIters && !stop.IsCancellationRequested)
            {
                var losses = Step();
                if (Trainer.Step % Config.Train.PrintEvery == 0 || Trainer.Step == Config.Train.TotalIters)
                {
                    long steps = Math.Max(1, Trainer.Step - timedFrom);
                    Context.SecondsPerIter = watch.Elapsed.TotalSeconds / steps;
                    Context.DataWaitPerIter = dataWait.Elapsed.TotalSeconds / steps;
                    dataWait.Reset();
                    watch.Restart();
                    timedFrom = Trainer.Step;
                }
                foreach (var h in hooks) h.AfterStep(Context, losses);
            }
        }
        catch (Exception e)
        {
            Context.Failed = true;
            if (SecretRedactor.Leaks(e)) throw SecretRedactor.Scrub(e);
            throw;
        }
        finally
        {
            foreach (var h in hooks) h.AfterTrain(Context);
        }
    }

    readonly Stopwatch dataWait = new();

    StepLosses Step()
    {
        dataWait.Start();
        using var batch = data.Next();   // decoded and augmented ahead by the prefetching workers
        dataWait.Stop();
        using var scope = NewDisposeScope();
        int b = (int)batch.XSrc.size(0);
        int latent = Config.Model.LatentDim;
        var zTrg = randn([b, latent], generator: Context.LatentRng);
        var zTrg2 = randn([b, latent], generator: Context.LatentRng);
        var xReal = batch.XSrc.to(device);
        // As the official Solver.train: masks of x_real once per iteration, shared by all four phases
        // (the cycle term's masks of x_fake are computed inside the generator objective).
        var x = new StepInputs(xReal, batch.YSrc.to(device), batch.XRef.to(device), batch.XRef2.to(device),
                               batch.YRef.to(device), zTrg.to(device), zTrg2.to(device), masker?.Masks(xReal));
        var losses = Trainer.TrainStep(x);
        foreach (var (key, value) in losses.Flatten())
            if (!double.IsFinite(value))
                throw new TrainingDivergedException($"loss {key} became {value} at step {Trainer.Step}; the last good checkpoint is kept (lower the learning rates or check the data)");
        return losses;
    }

    public void Dispose()
    {
        data.Dispose();
        Context.Val.Dispose();
        Trainer.Dispose();
        Trainer.Nets.Dispose();
        Trainer.Ema.Dispose();
        masker?.Dispose();
    }
}

public sealed class TrainingDivergedException(string message) : Exception(message);
