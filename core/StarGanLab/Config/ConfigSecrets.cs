using System.Text.RegularExpressions;

namespace StarGanLab.Config;

/// <summary>One config value given as an environment reference: where it is, how it was written, what it resolved to.
/// <see cref="ToString"/> shows the reference only.</summary>
public sealed record SecretValue(string Path, string Reference, string Value)
{
    public override string ToString() => $"{Path}: {Reference}";
}

/// <summary>
/// Config values marked secret. A string value written exactly as <c>${env:NAME}</c> (in a YAML file or a
/// <c>--set</c> override) is read from the environment variable NAME when the config is loaded; the config record
/// holds the value for the code that uses it, and <see cref="ConfigWriter"/> (config.yaml, --dry-run, tracking params)
/// and validation errors show only the reference. Resuming a run resolves the reference again.
/// References are refused in <see cref="Forbidden"/> keys, whose values name folders and runs and so end up in paths.
/// </summary>
public sealed partial class ConfigSecrets : IEquatable<ConfigSecrets>
{
    public static readonly ConfigSecrets None = new([]);

    /// <summary>Keys whose values become run names or paths of outputs.</summary>
    public static readonly IReadOnlySet<string> Forbidden = new HashSet<string> { "name", "run.root", "run.name" };

    public IReadOnlyList<SecretValue> Values { get; }

    public ConfigSecrets(IReadOnlyList<SecretValue> values) => Values = values;

    /// <summary>NAME when <paramref name="text"/> is exactly <c>${env:NAME}</c>, else null.</summary>
    public static string? EnvReference(string text) => EnvRegex().Match(text) is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>The reference to write for <paramref name="path"/> when it still holds its resolved value; else null.</summary>
    public string? ReferenceFor(string path, object? currentValue)
    {
        foreach (var s in Values)
            if (s.Path == path && currentValue is string v && v == s.Value) return s.Reference;
        return null;
    }

    public bool Equals(ConfigSecrets? other) => other is not null && Values.SequenceEqual(other.Values);
    public override bool Equals(object? obj) => Equals(obj as ConfigSecrets);
    public override int GetHashCode() => Values.Count;
    public override string ToString() => $"[{string.Join(", ", Values)}]";

    [GeneratedRegex(@"^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$")]
    private static partial Regex EnvRegex();
}
