using System.Diagnostics;
using StarGanLab.Config;
using StarGanLab.Data;
using StarGanLab.Training;

namespace StarGanLab.Benchmarks;

public sealed record DataBenchmarkResult(string Source, int Workers, int Batches, double ImagesPerSecond);

/// <summary>Images per second decoded and augmented by the configured data pipeline (three images per sample:
/// source, reference and second reference), with the configured number of workers.</summary>
public static class DataBenchmark
{
    public static DataBenchmarkResult Run(ExperimentConfig cfg, int batches)
    {
        var (train, _) = DataSources.Open(cfg, _ => { });
        var options = new BatchOptions(cfg.Model.ImgSize, cfg.Train.BatchSize, cfg.Seed, Workers: cfg.Data.Workers, PrefetchDepth: cfg.Data.Prefetch);
        using IBatchSource source = BatchSources.Open(train, options, 0);
        using (source.Next()) { }   // start-up (thread pool, first decode) is not throughput
        var watch = Stopwatch.StartNew();
        for (int i = 0; i < batches; i++)
            using (source.Next()) { }
        double images = 3.0 * cfg.Train.BatchSize * batches;
        return new DataBenchmarkResult(cfg.Data.Source, cfg.Data.Workers, batches, images / watch.Elapsed.TotalSeconds);
    }
}
