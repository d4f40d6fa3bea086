using StarGanLab.Native;
using Xunit;

namespace StarGanLab.Tests;

/// <summary>
/// Locates the repository and the shared parity fixtures (<c>&lt;repo root&gt;/../shared/parity/...</c>, as CI lays
/// them out). They are large and live outside the repository, so tests that need them skip with a reason.
/// </summary>
public static class Fixtures
{
    static Fixtures() => TorchRuntime.EnsureLoaded();

    /// <summary>The folder holding StarGanLab.sln, found by walking up from the test binaries.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ParityRoot => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "parity"));

    /// <summary>Path of a fixture file or folder, e.g. Parity("basic", "000000_nets.ckpt").</summary>
    public static string Parity(params string[] parts) => Path.Combine([ParityRoot, .. parts]);

    public static bool HasParity(string name) => File.Exists(Path.Combine(Parity(name), "config.json"));

    /// <summary>Null when the parity folder (or the given sub-path) exists, otherwise the reason to skip.</summary>
    public static string? MissingReason(string? subPath = null)
    {
        string p = subPath == null ? ParityRoot : Path.Combine(ParityRoot, subPath);
        return Directory.Exists(p) || File.Exists(p) ? null : $"parity fixtures not found at {p} (CI places shared/ beside the clone)";
    }

    static string FindRepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "StarGanLab.sln"))) return d.FullName;
        throw new InvalidOperationException($"StarGanLab.sln not found above {AppContext.BaseDirectory}");
    }
}

/// <summary>A [Fact] that is skipped when the shared parity fixtures (or one sub-path of them) are missing.</summary>
public sealed class FixtureFactAttribute : FactAttribute
{
    public FixtureFactAttribute(string? subPath = null)
    {
        if (Fixtures.MissingReason(subPath) is { } reason) Skip = reason;
    }
}

/// <summary>A [Fact] that needs the parity fixture folder &lt;name&gt; (with its config.json).</summary>
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

/// <summary>A [Theory] that is skipped when the shared parity fixtures (or one sub-path of them) are missing.</summary>
public sealed class FixtureTheoryAttribute : TheoryAttribute
{
    public FixtureTheoryAttribute(string? subPath = null)
    {
        if (Fixtures.MissingReason(subPath) is { } reason) Skip = reason;
    }
}
