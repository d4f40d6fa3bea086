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

    static readonly System.Collections.Concurrent.ConcurrentBag<string> made = [];

    // 57 tests take a root here and none deleted it: about 120 MB and 70 folders were left in /tmp by every run of
    // the suite, until the disk of a long-lived machine filled up. They go when the test process exits (runs that a
    // test hands to a child process are finished by then).
    static TinyRuns() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var dir in made)
        {
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    };

    public static string TempRoot()
    {
        string dir = Directory.CreateTempSubdirectory("stargan-test").FullName;
        made.Add(dir);
        return dir;
    }
}
