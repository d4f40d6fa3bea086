using System.Text;

namespace StarGanLab.Security;

/// <summary>
/// The process-wide list of secret values (config values given as <c>${env:NAME}</c>, MLFLOW_TRACKING_PASSWORD,
/// MLFLOW_TRACKING_TOKEN) and the scrubbing applied where text leaves the process: log lines of a training run,
/// tracking params, tags and warnings, exceptions leaving a training session, config errors and the CLI's error line.
/// A secret is replaced by its label (e.g. <c>${env:NAME}</c>), also in its base64 form.
/// Values shorter than <see cref="MinLength"/> characters are not scrubbed from free text (they would match
/// ordinary words); config outputs still show only their reference.
/// </summary>
public static class SecretRedactor
{
    public const int MinLength = 6;

    static readonly object Gate = new();
    static volatile (string Value, string Label)[] secrets = [];

    /// <summary>Remembers <paramref name="value"/> as a secret shown as <paramref name="label"/>.</summary>
    public static void Register(string? value, string label)
    {
        if (value is null || value.Length < MinLength) return;
        string b64 = Convert.ToBase64String(Encoding.UTF8.GetBytes(value));
        lock (Gate)
        {
            var list = secrets.ToList();
            foreach (var v in new[] { value, b64, b64.TrimEnd('=') })
                if (!list.Any(s => s.Value == v)) list.Add((v, label));
            // Longest first, so a secret containing another is replaced whole.
            secrets = [.. list.OrderByDescending(s => s.Value.Length)];
        }
    }

    /// <summary>Registers MLFLOW_TRACKING_PASSWORD and MLFLOW_TRACKING_TOKEN from <paramref name="env"/> (default: the process environment).</summary>
    public static void RegisterTrackingCredentials(Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        Register(env("MLFLOW_TRACKING_PASSWORD"), "<MLFLOW_TRACKING_PASSWORD redacted>");
        Register(env("MLFLOW_TRACKING_TOKEN"), "<MLFLOW_TRACKING_TOKEN redacted>");
    }

    public static bool Contains(string? text)
    {
        if (string.IsNullOrEmpty(text)) return false;
        foreach (var (v, _) in secrets) if (text.Contains(v, StringComparison.Ordinal)) return true;
        return false;
    }

    public static string Redact(string text)
    {
        if (string.IsNullOrEmpty(text)) return text;
        foreach (var (v, label) in secrets)
            if (text.Contains(v, StringComparison.Ordinal)) text = text.Replace(v, label, StringComparison.Ordinal);
        return text;
    }

    /// <summary>A log callback that scrubs every line before passing it on.</summary>
    public static Action<string> Wrap(Action<string> log) => line => log(Redact(line));

    /// <summary>True when the exception or one of its inner exceptions mentions a secret.</summary>
    public static bool Leaks(Exception e)
    {
        for (Exception? x = e; x != null; x = x.InnerException)
            if (Contains(x.Message)) return true;
        return false;
    }

    /// <summary>An exception of the same kind for the project's own exception types (InvalidOperationException
    /// otherwise) whose message is scrubbed and which keeps no inner exception that could carry the secret.</summary>
    public static Exception Scrub(Exception e)
    {
        string message = Redact(e.Message);
        // The project's own exception types (DataException, CheckpointException, ...) are rebuilt through their
        // message constructor, so this foundation class needs to know none of the layers that define them.
        var type = e.GetType();
        if (type.Namespace?.StartsWith("StarGanLab.", StringComparison.Ordinal) == true)
            foreach (var ctor in type.GetConstructors())
                if (ctor.GetParameters() is [var first, .. var rest] && first.ParameterType == typeof(string) && rest.All(p => p.IsOptional))
                    return (Exception)ctor.Invoke([message, .. rest.Select(p => p.DefaultValue)]);   // no inner exception
        return e switch
        {
            IOException => new IOException(message),
            InvalidDataException => new InvalidDataException(message),
            ArgumentException => new ArgumentException(message),
            _ => new InvalidOperationException(message),
        };
    }
}
