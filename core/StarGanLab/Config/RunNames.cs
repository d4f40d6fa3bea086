using System.Security.Cryptography;
using System.Text;

namespace StarGanLab.Config;

/// <summary>Run directory names: derived from the config and its overrides, and checked so a run
/// directory can never escape its root.</summary>
public static class RunNames
{
    public const int MaxLength = 120;

    /// <summary><c>run.name</c> when set; otherwise the config name followed by each override's leaf
    /// key and value ("quickstart-lambda_cyc=0-seed1"; a seed reads "seed1"), last value per key,
    /// <c>run.*</c> overrides left out. Unsafe characters become '_'; names longer than
    /// <see cref="MaxLength"/> are cut and suffixed with a hash of the full name.</summary>
    public static string Derive(ExperimentConfig cfg, IReadOnlyList<string> overrides)
    {
        if (cfg.Run.Name.Length > 0) return Validate(cfg.Run.Name);

        var keys = new List<string>();
        var values = new Dictionary<string, string>();
        foreach (var o in overrides)
        {
            var eq = o.IndexOf('=');
            if (eq <= 0) continue;
            var key = o[..eq].Trim();
            if (key.StartsWith("run.", StringComparison.Ordinal)) continue;
            if (!values.ContainsKey(key)) keys.Add(key);
            values[key] = o[(eq + 1)..].Trim();
        }
        var parts = keys.Select(k =>
        {
            var leaf = k[(k.LastIndexOf('.') + 1)..];
            return leaf == "seed" ? "seed" + values[k] : $"{leaf}={values[k]}";
        });
        var name = Sanitize(string.Join("-", parts.Prepend(cfg.Name)));
        if (name.Length > MaxLength)
        {
            var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8];
            name = name[..(MaxLength - 9)].TrimEnd('.', '-', '_') + "-" + hash;
        }
        return Validate(name);
    }

    /// <summary>The name of a run started from the command line or a script: run.name when set, else the config's name,
    /// followed, when there are overrides (run.* aside), by 6 hex digits of a hash of them (last value per key, in key
    /// order), so names stay short however many keys are set and the same overrides always name the same run. The
    /// overrides themselves are recorded at the top of the run's config.yaml. (Sweeps name runs by their axes: <see cref="Derive"/>.)</summary>
    public static string Short(ExperimentConfig cfg, IReadOnlyList<string> overrides)
    {
        if (cfg.Run.Name.Length > 0) return Validate(cfg.Run.Name);
        var last = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var o in overrides)
        {
            int eq = o.IndexOf('=');
            if (eq <= 0 || o[..eq].Trim().StartsWith("run.", StringComparison.Ordinal)) continue;
            last[o[..eq].Trim()] = o[(eq + 1)..].Trim();
        }
        var name = Sanitize(cfg.Name);
        if (last.Count == 0) return Validate(name);
        string canonical = string.Join("\n", last.Select(kv => $"{kv.Key}={kv.Value}"));
        return Validate($"{name}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..6]}");
    }

    /// <summary>Keeps [A-Za-z0-9._=+-], maps the rest to '_', collapses "..", trims leading dots and dashes.</summary>
    static string Sanitize(string raw)
    {
        var sb = new StringBuilder(raw.Length);
        foreach (var ch in raw)
            sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '.' or '_' or '=' or '+' or '-' ? ch : '_');
        var s = sb.ToString();
        while (s.Contains("..")) s = s.Replace("..", ".");
        s = s.TrimStart('.', '-').TrimEnd('.');
        return s.Length == 0 ? "run" : s;
    }

    /// <summary>Returns <paramref name="name"/> if it is a safe single path segment; throws
    /// <see cref="ArgumentException"/> with the reason otherwise.</summary>
    public static string Validate(string name) =>
        TryValidate(name, out var reason) ? name : throw new ArgumentException($"run name '{name}' {reason}", nameof(name));

    /// <summary>A safe run name is one non-empty path segment: no separators, no "..", not rooted,
    /// no drive or stream colon, no control characters, no surrounding whitespace, at most 200 chars.</summary>
    public static bool TryValidate(string? name, out string reason)
    {
        reason = name switch
        {
            null or "" => "is empty",
            _ when name.Trim().Length == 0 => "is blank",
            _ when name.Trim().Length != name.Length => "starts or ends with whitespace",
            _ when name.Length > 200 => "is longer than 200 characters",
            _ when name.Any(char.IsControl) => "contains a control character",
            _ when name.Contains('/') || name.Contains('\\') => "contains a path separator",
            _ when name.Contains(':') => "contains ':'",
            _ when name == "." || name.Contains("..") => "contains '..' or is '.'",
            _ when Path.IsPathRooted(name) => "is an absolute path",
            _ => "",
        };
        return reason.Length == 0;
    }
}
