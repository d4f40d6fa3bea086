using StarGanLab.Config;

namespace StarGanLab.Tests.Training;

/// <summary>Configs small enough for unit tests: 16 px synthetic images, 8-channel nets, batch 2.</summary>
static class TinyRuns
{
    public static ExperimentConfig Config(string root, int totalIters, int saveEvery = 1000, int workers = 1) => new("tiny")
    {
        Device = "cpu",
        Threads = 1,   // fixed: threads 0 follows the machine's load, and these runs are compared bit for bit
        Model = new ModelConfig(ImgSize: 16, NumDomains: 3, LatentDim: 8, StyleDim: 16, WidthConst: 128, MaxConvDim: 16, MappingHidden: 32),
        Data = new DataConfig(Source: "synthetic", SyntheticDomains: 3, SyntheticPerDomain: 20, Workers: workers, Prefetch: 2),
        Loss = new LossConfig(DsIter: 10),
        Train = new TrainConfig(BatchSize: 2, ValBatchSize: 3, TotalIters: totalIters, PrintEvery: 1, SampleEvery: 1000, SaveEvery: saveEvery),
        Run = new RunConfig(Root: root),
    };

    public static string TempRoot() => Directory.CreateTempSubdirectory("stargan-test").FullName;
}
