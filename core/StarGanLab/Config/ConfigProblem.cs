namespace StarGanLab.Config;

/// <summary>One thing wrong with a configuration. Line and Column are 1-based; 0 when the
/// problem has no position (a --set override, or a key absent from every file).</summary>
public sealed record ConfigProblem(string File, int Line, int Column, string KeyPath, string Message)
{
    public override string ToString()
    {
        var where = Line > 0 ? $"{File}:{Line}:{Column}" : File;
        return KeyPath.Length > 0 ? $"{where}: {KeyPath}: {Message}" : $"{where}: {Message}";
    }
}

/// <summary>A configuration could not be loaded. <see cref="Problems"/> holds every problem
/// found; the message has a header line and then one line per problem.</summary>
public sealed class ConfigException : Exception
{
    public IReadOnlyList<ConfigProblem> Problems { get; }

    public ConfigException(IReadOnlyList<ConfigProblem> problems)
        : base(Format(problems)) => Problems = problems;

    static string Format(IReadOnlyList<ConfigProblem> problems)
    {
        var header = problems.Count == 1 ? "Invalid configuration (1 problem):" : $"Invalid configuration ({problems.Count} problems):";
        // Backstop: a problem text never carries a secret value (they show ${env:NAME} references).
        return Security.SecretRedactor.Redact(header + Environment.NewLine + string.Join(Environment.NewLine, problems.Select(p => "  " + p)));
    }
}

/// <summary>Limits and permissions for <see cref="ConfigLoader"/>.</summary>
/// <param name="AllowOutsideIncludes">Allow a <c>base:</c> file outside <paramref name="AllowedRoot"/>.</param>
/// <param name="AllowedRoot">Directory tree that <c>base:</c> files must lie in; null: the top config's directory.</param>
/// <param name="MaxFileBytes">Refuse config files larger than this.</param>
/// <param name="MaxAliasNodes">Refuse documents whose alias-expanded node count exceeds this (billion laughs).</param>
/// <param name="MaxNestingDepth">Refuse documents nested deeper than this.</param>
/// <param name="MaxIncludeDepth">Longest chain of <c>base:</c> files.</param>
/// <param name="Environment">Resolves <c>${env:NAME}</c> references; null reads the process environment.</param>
/// <param name="Use">What the config is loaded for: training asks for everything a run reads (data.root, the FAN
/// checkpoint); a trained model used for inference or a report needs neither, so an imported checkpoint's run loads.</param>
public sealed record ConfigLoadOptions(
    bool AllowOutsideIncludes = false,
    string? AllowedRoot = null,
    long MaxFileBytes = 1 << 20,
    int MaxAliasNodes = 100_000,
    int MaxNestingDepth = 32,
    int MaxIncludeDepth = 16,
    Func<string, string?>? Environment = null,
    ConfigUse Use = ConfigUse.Training);

/// <summary>See <see cref="ConfigLoadOptions.Use"/>.</summary>
public enum ConfigUse
{
    /// <summary>A run will train on it: the data and every file the step reads must be named.</summary>
    Training,
    /// <summary>A trained model is sampled, translated, exported or reported: no training data needed.</summary>
    Inference,
}
