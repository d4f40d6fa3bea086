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

    const string Prefix = "stargan-test";

    // 57 tests take a root here and none deletes it: every run of the suite leaves about 120 MB in 70 folders under
    // /tmp, until the disk of a long-lived machine fills up (it did, in a CI run). A ProcessExit handler that deleted
    // them worked for a filtered run but left 62 of them after a full one, so instead each test process removes the
    // roots earlier runs left once they are a day old: no run of ours is that long, and two suites running side by
    // side never touch each other's roots.
    static TinyRuns()
    {
        var cutoff = DateTime.UtcNow.AddDays(-1);
        foreach (var dir in Directory.EnumerateDirectories(Path.GetTempPath(), Prefix + "*"))
        {
            try
            {
                if (Directory.GetLastWriteTimeUtc(dir) < cutoff) Directory.Delete(dir, recursive: true);
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    public static string TempRoot() => Directory.CreateTempSubdirectory(Prefix).FullName;
}
