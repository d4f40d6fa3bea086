using Xunit;
using StarGanLab.Config;

namespace StarGanLab.Tests.Config;

internal static class ConfigTestSupport
{
    /// <summary>The repository root (see <see cref="Fixtures.RepoRoot"/>).</summary>
    public static string RepoRoot() => Fixtures.RepoRoot;

    /// <summary>Minimal valid prefix (2 lines): synthetic data so no folder is needed.</summary>
    public const string Valid = "name: t\ndata: {source: synthetic, synthetic_domains: 2}\n";

    public static ConfigException Fails(string yaml, IEnumerable<string>? overrides = null, ConfigLoadOptions? options = null) =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Parse(yaml, "test.yaml", overrides, options));
}

/// <summary>A scratch directory deleted after the test.</summary>
public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("stargan-config-").FullName;

    public string Write(string relative, string text)
    {
        var full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        return full;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
