using StarGanLab.Config;
using StarGanLab.Sweeps;
using StarGanLab.Tests.Training;

namespace StarGanLab.Tests.Sweeps;

/// <summary>A scratch folder with a tiny base config (16 px, batch 2; TinyRuns) and sweep specs over it.</summary>
sealed class SweepScratch : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("stargan-sweep-").FullName;

    /// <summary>The base config every spec names as <c>base: tiny.yaml</c>.</summary>
    public string Base { get; }

    public SweepScratch(int totalIters = 2)
    {
        Base = Path.Combine(Dir, "tiny.yaml");
        File.WriteAllText(Base, ConfigWriter.ToYaml(TinyRuns.Config(Path.Combine(Dir, "runs"), totalIters, workers: 1) with { Threads = 1 }));
    }

    /// <summary>Writes <paramref name="yaml"/> as NAME.yaml and returns its path.</summary>
    public string Write(string name, string yaml)
    {
        string path = Path.Combine(Dir, name + ".yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>A spec over the tiny base with root DIR/sweep, then <paramref name="rest"/>.</summary>
    public string Spec(string rest, string name = "spec") =>
        Write(name, $"base: tiny.yaml\nroot: {Path.Combine(Dir, "sweep")}\n{rest}");

    public SweepPlan Plan(string rest) => SweepPlan.Expand(SweepSpecLoader.Load(Spec(rest)));

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { /* a child process may still hold a log; the OS cleans /tmp */ }
    }
}
