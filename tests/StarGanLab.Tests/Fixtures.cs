using StarGanLab.Native;
using Xunit;

namespace StarGanLab.Tests;

/// <summary>Locates the repository and the shared parity fixtures (../shared/parity beside the clone, as in CI).</summary>
public static class Fixtures
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ParityRoot => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "parity"));

    public static string Parity(string name) => Path.Combine(ParityRoot, name);

    public static bool HasParity(string name) => File.Exists(Path.Combine(Parity(name), "config.json"));

    static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "StarGanLab.sln"))) return dir.FullName;
        throw new InvalidOperationException($"StarGanLab.sln not found above {AppContext.BaseDirectory}");
    }

    static Fixtures() => TorchRuntime.EnsureLoaded();
}

/// <summary>A fact that needs shared/parity/&lt;fixture&gt;; skipped with the reason when it is absent
/// (the fixtures are large and live outside the repository).</summary>
public sealed class ParityFactAttribute : FactAttribute
{
    public ParityFactAttribute(string fixture)
    {
        if (!Fixtures.HasParity(fixture))
            Skip = $"parity fixture '{fixture}' not found at {Fixtures.Parity(fixture)} (CI places shared/ beside the clone)";
    }
}

/// <summary>Every test that touches torch derives from this so the natives are loaded by path first.</summary>
public abstract class TorchTest
{
    protected TorchTest() => TorchRuntime.EnsureLoaded();
}
