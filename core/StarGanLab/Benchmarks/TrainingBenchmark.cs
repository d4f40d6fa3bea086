using System.Diagnostics;
using StarGanLab.Config;
using StarGanLab.Native;
using StarGanLab.Networks;
using StarGanLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Benchmarks;

/// <summary>Seconds per phase of one iteration.</summary>
public sealed record PhaseTimes(double DLatent, double DRef, double GLatent, double GRef, double Ema)
{
    /// <summary>The phases by the names the trainer reports them under (Trainer.PhaseCompleted) and JSON keeps them.</summary>
    public static PhaseTimes Of(Func<string, double> seconds) =>
        new(seconds("d_latent"), seconds("d_ref"), seconds("g_latent"), seconds("g_ref"), seconds("ema"));

    /// <summary>The phase named <paramref name="name"/> as the trainer names it; null for no such phase.</summary>
    public double? this[string name] => name switch
    {
        "d_latent" => DLatent, "d_ref" => DRef, "g_latent" => GLatent, "g_ref" => GRef, "ema" => Ema, _ => null,
    };
}

/// <summary>What `stargan bench` reports for the training iteration.</summary>
public sealed record TrainingBenchmarkResult(
    int ImgSize, int BatchSize, int NumDomains, int WidthConst, double WHpf, int Threads, int Warmup, int Iters,
    double SecPerIterMedian, double SecPerIterMin, IReadOnlyList<double> SecPerIterAll, PhaseTimes PhaseMedians,
    double PeakRssMiB, long LiveTensorsBefore, long LiveTensorsAfter, IReadOnlyDictionary<string, long> Params, int Accumulate = 1,
    ComputePrecision Precision = ComputePrecision.Fp32);

/// <summary>Times complete training iterations on random tensors, as the official harness does
/// (shared/anchors/bench_official.py): images uniform in [-1, 1], fresh latent codes every iteration, no data
/// loading, so the two are comparable side by side.</summary>
public static class TrainingBenchmark
{
    /// <summary>How `stargan bench --json` writes its result and <see cref="BenchmarkBaseline"/> reads it back.</summary>
    public static readonly System.Text.Json.JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <param name="phaseEnded">called with the iteration's index (warm-up ones first, from 0) and the phase's name
    /// after each phase: <c>stargan bench --profile</c> marks the phases in oneDNN's log with it.</param>
    public static TrainingBenchmarkResult Run(ExperimentConfig cfg, int warmup, int iters, Action<string>? progress = null,
                                              Action<int, string>? phaseEnded = null)
    {
        if (cfg.Model.WHpf > 0)
            throw new ArgumentException("bench times the w_hpf = 0 iteration (the FAN masks need a wing checkpoint); set model.w_hpf=0");
        var device = TorchRuntime.Initialize(cfg.Device, cfg.Threads);
        if (cfg.Train.Precision == ComputePrecision.Bf16) Bf16Support.Require(device);
        Kernels.KernelGuard.Ensure(cfg.Model, cfg.Kernels, cfg.Train.Precision);   // before any network computes: see Kernels/KernelGuard
        manual_seed(cfg.Seed);
        var (nets, ema) = StarGanNets.Build(cfg.Model, device, cfg.Seed, cfg.Optim.Ema);
        using var trainer = new Trainer(nets, ema, cfg);
        int b = cfg.Train.BatchSize, h = cfg.Model.ImgSize, d = cfg.Model.NumDomains, l = cfg.Model.LatentDim;
        using var xSrc = (rand(b, 3, h, h) * 2 - 1).to(device);
        using var xRef = (rand(b, 3, h, h) * 2 - 1).to(device);
        using var xRef2 = (rand(b, 3, h, h) * 2 - 1).to(device);
        using var ySrc = randint(0, d, [b], dtype: int64).to(device);
        using var yRef = randint(0, d, [b], dtype: int64).to(device);

        var phase = new Stopwatch();
        var phaseTimes = new Dictionary<string, List<double>>();
        int iteration = 0;
        trainer.PhaseCompleted = name =>
        {
            phaseEnded?.Invoke(iteration, name);
            (phaseTimes.TryGetValue(name, out var list) ? list : phaseTimes[name] = []).Add(phase.Elapsed.TotalSeconds);
            phase.Restart();
        };

        var times = new List<double>();
        long liveBefore = 0;
        for (int i = 0; i < warmup + iters; i++)
        {
            iteration = i;
            if (i == warmup)
            {
                phaseTimes.Clear();
                liveBefore = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            }
            var watch = Stopwatch.StartNew();
            phase.Restart();
            using (var scope = NewDisposeScope())
            {
                var x = new StepInputs(xSrc, ySrc, xRef, xRef2, yRef, randn(b, l).to(device), randn(b, l).to(device));
                trainer.TrainStep(x);
            }
            times.Add(watch.Elapsed.TotalSeconds);
            progress?.Invoke($"iteration {i}{(i < warmup ? " (warm-up)" : "")}: {times[^1]:F3} s");
        }
        long liveAfter = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var timed = times.Skip(warmup).ToList();
        double Median(IEnumerable<double> xs) { var s = xs.Order().ToArray(); return s.Length == 0 ? 0 : s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2; }
        double P(string n) => phaseTimes.TryGetValue(n, out var v) ? Median(v) : 0;
        var result = new TrainingBenchmarkResult(h, b, d, cfg.Model.WidthConst, cfg.Model.WHpf, get_num_threads(), warmup, iters,
            Median(timed), timed.Count == 0 ? 0 : timed.Min(), times.Select(t => Math.Round(t, 4)).ToList(),
            PhaseTimes.Of(P),
            ProcessMemory.PeakRssMiB(), liveBefore, liveAfter,
            nets.Modules.ToDictionary(m => m.Name, m => m.Module.parameters().Sum(p => p.numel())), cfg.Train.Accumulate, cfg.Train.Precision);
        nets.Dispose();
        ema.Dispose();
        return result;
    }
}
