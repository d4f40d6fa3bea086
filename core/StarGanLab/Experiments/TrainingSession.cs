using System.Diagnostics;
using StarGanLab.Config;
using StarGanLab.Data;
using StarGanLab.Native;
using StarGanLab.Networks;
using StarGanLab.Runs;
using StarGanLab.Security;
using StarGanLab.Experiments.Hooks;
using TorchSharp;
using static TorchSharp.torch;
using StarGanLab.Training;

namespace StarGanLab.Experiments;

/// <summary>A training run: networks, optimizers, data and hooks for one run directory, started fresh or resumed
/// from its newest complete checkpoint so that N iterations, stop, resume, M iterations equals N+M in one go.</summary>
public sealed class TrainingSession : IDisposable
{
    IBatchSource data;   // reopened after the offending batch on a rollback
    readonly IO.FileLock runLock;   // held for the session's life: one training per run folder
    readonly Device device;
    readonly FanMasker? masker;   // the FAN, when model.w_hpf > 0
    public Trainer Trainer { get; }
    public TrainContext Context { get; }
    public ExperimentConfig Config { get; }
    public RunDirectory Run { get; }

    TrainingSession(ExperimentConfig cfg, RunDirectory run, IO.FileLock runLock, Action<string> log, bool resume, InitSource? init = null)
    {
        log = SecretRedactor.Wrap(log);   // config secrets and tracking credentials never reach a log line
        (Config, Run, this.runLock, this.log) = (cfg, run, runLock, log);
        device = TorchRuntime.Initialize(cfg.Device, cfg.Threads);
        if (cfg.Train.Precision == ComputePrecision.Bf16) Bf16Support.Require(device);
        Kernels.KernelGuard.Ensure(cfg.Model, cfg.Kernels, cfg.Train.Precision);   // before any network computes: see Kernels/KernelGuard
        masker = cfg.Model.WHpf > 0 ? FanMasker.Load(cfg.Fan.WingPath, device, log) : null;
        try
        {
            (Trainer, Context, data) = Build(cfg, run, log, resume, init);
        }
        catch
        {
            masker?.Dispose();
            throw;
        }
    }

    (Trainer, TrainContext, IBatchSource) Build(ExperimentConfig cfg, RunDirectory run, Action<string> log, bool resume, InitSource? init)
    {
        var (trainImages, valImages) = DataSources.Open(cfg, log);
        DataSources.CheckDomains(cfg, trainImages);

        manual_seed(cfg.Seed);   // for anything a user's hook draws; our own randomness has generators of its own
        var (nets, ema) = StarGanNets.Build(cfg.Model, device, cfg.Seed, cfg.Optim.Ema);
        if (init != null)   // a new fine-tune only: a resume loads the run's own checkpoint below
        {
            try
            {
                run.WriteText(InitReport.FileName, InitialWeights.Apply(init, nets, ema, cfg, log).ToJson());
            }
            catch
            {
                ema.Dispose();
                nets.Dispose();
                throw;
            }
        }
        var trainer = new Trainer(nets, ema, cfg, masker);
        var latentRng = new torch.Generator((ulong)cfg.Seed);

        long dataPosition = 0;
        if (resume)
        {
            if (TrainerCheckpoints.CompleteSteps(run.CheckpointDir).Count == 0)
                throw new InvalidOperationException($"{run.Path} has no complete checkpoint to resume from (looked in {run.CheckpointDir})");
            (long step, dataPosition) = TrainerCheckpoints.LoadNewestGood(trainer, latentRng, run.CheckpointDir, log);
            log($"resumed {run.Name} at step {step}");
        }

        this.trainImages = trainImages;
        batchOptions = new BatchOptions(cfg.Model.ImgSize, cfg.Train.BatchSize, cfg.Seed, Workers: cfg.Data.Workers, PrefetchDepth: cfg.Data.Prefetch);
        IBatchSource source = BatchSources.Open(trainImages, batchOptions, dataPosition);
        int perDomain = Math.Max(1, Math.Min(cfg.Train.ValBatchSize, 8) / cfg.Model.NumDomains);
        var context = new TrainContext
        {
            Trainer = trainer, Run = run, Config = cfg, LatentRng = latentRng, Log = log,
            Val = ValidationImages.FirstPerDomain(valImages, perDomain, cfg.Model.ImgSize),
            DataPosition = () => data.BatchIndex,
        };
        return (trainer, context, source);
    }

    /// <summary>A new run in a new directory; refuses a config that cannot fit in this machine's memory, takes the
    /// run's lock, then writes the resolved config, headed by the overrides it was made with (<paramref name="overrides"/>,
    /// as a comment: the run's name no longer spells them out).</summary>
    public static TrainingSession Start(ExperimentConfig cfg, RunDirectory run, Action<string> log, IReadOnlyList<string>? overrides = null)
    {
        MemoryEstimate.Of(cfg).RequireFits(cfg);
        var held = run.Lock();
        try
        {
            // The run records the thread count it trains with (threads 0 resolves to the idle cores): a resume then uses
            // the same, and float sums split the same way, whatever the machine's load is by then.
            cfg = cfg with { Threads = TorchRuntime.ResolveThreads(cfg.Threads, SecretRedactor.Wrap(log)) };
            // train.init_from is recorded as the file it resolved to (a run folder's newest checkpoint moves on), and its
            // SHA-256 goes to init_from.json: the run says exactly what it started from.
            var init = cfg.Train.InitFrom.Trim().Length > 0 ? InitSource.Resolve(cfg.Train.InitFrom) : null;
            if (init != null) cfg = cfg with { Train = cfg.Train with { InitFrom = init.Training.Path } };
            string header = overrides is { Count: > 0 } ? "# overrides:" + string.Concat(overrides.Select(o => $" --set {o}")) + "\n" : "";
            run.WriteText(RunDirectory.ConfigFileName, header + ConfigWriter.ToYaml(cfg));
            return new TrainingSession(cfg, run, held, log, resume: false, init);
        }
        catch (Exception e)
        {
            held.Dispose();
            if (SecretRedactor.Leaks(e)) throw SecretRedactor.Scrub(e);
            throw;
        }
    }

    /// <summary>Continues a run from its newest complete checkpoint with its own resolved config
    /// (optionally with overrides such as a longer train.total_iters). The run's config is rewritten with the
    /// overrides only once the session is open, so a refused resume leaves the run as it was.</summary>
    public static TrainingSession Resume(RunDirectory run, IReadOnlyList<string> overrides, Action<string> log)
    {
        var held = run.Lock();
        TrainingSession? session = null;
        try
        {
            var cfg = ConfigLoader.Load(run.ConfigFile, overrides);
            if (overrides.Count > 0 && ConfigLoader.Load(run.ConfigFile).Train.InitFrom is var started && cfg.Train.InitFrom != started)
                throw new InvalidOperationException($"train.init_from: {run.Path} started from '{started}'; a resume continues from the run's own " +
                    "checkpoint and cannot start from another (train a new run with --init-from instead)");
            long reached = TrainerCheckpoints.CompleteSteps(run.CheckpointDir).FirstOrDefault();
            if (cfg.Train.TotalIters < reached)
                throw new InvalidOperationException($"train.total_iters={cfg.Train.TotalIters}: {run.Path} has reached step {reached} " +
                    $"already, and a run is not shortened; give train.total_iters >= {reached}, or train a new run");
            MemoryEstimate.Of(cfg).RequireFits(cfg);
            session = new TrainingSession(cfg, run, held, log, resume: true);
            if (overrides.Count > 0) run.WriteText(RunDirectory.ConfigFileName, ConfigWriter.ToYaml(cfg));
            return session;
        }
        catch (Exception e)
        {
            if (session is null) held.Dispose(); else session.Dispose();
            if (SecretRedactor.Leaks(e)) throw SecretRedactor.Scrub(e);
            throw;
        }
    }

    /// <summary>Trains until train.total_iters or until <paramref name="stop"/> is signalled (the current step is
    /// finished first). Hooks run after every step and once at the end, also after a stop or a failure.</summary>
    public void Train(IReadOnlyList<ITrainHook> hooks, CancellationToken stop = default)
    {
        foreach (var h in hooks) h.BeforeTrain(Context);
        var timing = new HookTiming();
        var run = Stopwatch.StartNew();
        var watch = Stopwatch.StartNew();
        long timedFrom = Trainer.Step;
        try
        {
            while (Trainer.Step < Config.Train.TotalIters && !stop.IsCancellationRequested)
            {
                try
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
                    foreach (var h in hooks) timing.Time(h, () => h.AfterStep(Context, losses));
                }
                catch (TrainingDivergedException e) when (Config.Train.OnNan == "rollback")
                {
                    // from the loss check in Step or from CheckpointHook refusing non-finite weights
                    RollBack(e);
                    foreach (var h in hooks) h.AfterRollback(Context);
                    timedFrom = Trainer.Step;
                    watch.Restart();
                }
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
            foreach (var h in hooks) timing.Time(h, () => h.AfterTrain(Context));
            if (timing.Report(run.Elapsed) is { } line) log(line);
        }
    }

    readonly Stopwatch dataWait = new();
    readonly Action<string> log;
    IImageSource trainImages = null!;
    BatchOptions batchOptions = null!;
    readonly Dictionary<long, int> rollbacks = [];

    /// <summary>How often one checkpoint may be rolled back to before the run stops as diverged.</summary>
    public const int MaxRollbacksPerCheckpoint = 3;

    /// <summary>train.on_nan: rollback. Reloads the newest good checkpoint (nets, EMA, moments, latent RNG) and continues
    /// with the data stream after the batch that diverged: the batches since the checkpoint are not replayed, since the
    /// same batches with the same weights and RNG would retrace the same path into the same NaN. Nothing else (learning
    /// rates, loss weights) changes. The same checkpoint is rolled back to at most <see cref="MaxRollbacksPerCheckpoint"/> times.</summary>
    void RollBack(TrainingDivergedException e)
    {
        long nextBatch = data.BatchIndex;
        long step;
        try
        {
            (step, _) = TrainerCheckpoints.LoadNewestGood(Trainer, Context.LatentRng, Run.CheckpointDir, log);
        }
        catch (Checkpoints.CheckpointException none)
        {
            throw new TrainingDivergedException($"{e.Message}; train.on_nan is rollback but there is nothing to roll back to: {none.Message}");
        }
        int n = rollbacks[step] = rollbacks.GetValueOrDefault(step) + 1;
        if (n > MaxRollbacksPerCheckpoint)
            throw new TrainingDivergedException($"{e.Message}; already rolled back to the checkpoint of step {step} {MaxRollbacksPerCheckpoint} times, giving up");
        data.Dispose();
        data = BatchSources.Open(trainImages, batchOptions, nextBatch);
        log($"{e.Message}: rolled back to the checkpoint of step {step} (rollback {n} of {MaxRollbacksPerCheckpoint}); continuing with data batch {nextBatch}");
    }

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
        var gpAlpha = Objectives.IsWasserstein(Config.Loss) ? rand([2, b, 1, 1, 1], generator: Context.LatentRng).to(device) : null;
        var xReal = batch.XSrc.to(device);
        // As the official Solver.train: masks of x_real once per iteration, shared by all four phases
        // (the cycle term's masks of x_fake are computed inside the generator objective).
        var x = new StepInputs(xReal, batch.YSrc.to(device), batch.XRef.to(device), batch.XRef2.to(device),
                               batch.YRef.to(device), zTrg.to(device), zTrg2.to(device), masker?.Masks(xReal), gpAlpha);
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
        runLock.Dispose();
    }
}
