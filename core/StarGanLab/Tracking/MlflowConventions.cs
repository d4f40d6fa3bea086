using System.Globalization;
using System.Text.RegularExpressions;

namespace StarGanLab.Tracking;

/// <summary>What MLflow accepts and how it names things (mlflow/utils/validation.py, mlflow/entities/run_status.py,
/// mlflow/utils/mlflow_tags.py), shared by the file store and the REST sink.</summary>
static partial class MlflowConventions
{
    public const int MaxKeyLength = 250;
    public const int MaxParamValueLength = 6000;
    public const int MaxTagValueLength = 5000;
    public const int MaxMetricsPerBatch = 1000;
    public const int MaxParamsPerBatch = 100;
    public const int MaxTagsPerBatch = 100;
    public const int MaxEntitiesPerBatch = 1000;
    public const int MaxBatchBytes = 1_000_000;

    public const string RunNameTag = "mlflow.runName";
    public const string UserTag = "mlflow.user";
    public const string SourceNameTag = "mlflow.source.name";
    public const string SourceTypeTag = "mlflow.source.type";
    public const string GitCommitTag = "mlflow.source.git.commit";

    [GeneratedRegex(@"^[/\w.\- ]*$")]
    private static partial Regex KeyPattern();

    /// <summary>Null when <paramref name="key"/> is a valid metric, param or tag name, else why not. Besides the
    /// character set, a name must be its own normalised path (no leading '/', no empty, '.' or '..' segments),
    /// because the file store turns it into a path under the run.</summary>
    public static string? KeyProblem(string key)
    {
        if (string.IsNullOrEmpty(key)) return "the name is empty";
        if (key.Length > MaxKeyLength) return $"the name is longer than {MaxKeyLength} characters";
        if (!KeyPattern().IsMatch(key)) return "only letters, digits, '_', '-', '.', ' ' and '/' are allowed";
        if (key.StartsWith('/') || key.Split('/').Any(seg => seg is "" or "." or ".."))
            return "the name would resolve to a different path (leading, doubled or trailing '/', or a '.'/'..' segment)";
        return null;
    }

    /// <summary>RunStatus as the file store's integer code (1 RUNNING, 2 SCHEDULED, 3 FINISHED, 4 FAILED, 5 KILLED).</summary>
    public static int StatusCode(RunStatus s) => s switch
    {
        RunStatus.Finished => 3,
        RunStatus.Failed => 4,
        RunStatus.Killed => 5,
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    public const int RunningCode = 1;

    /// <summary>RunStatus as the REST API's enum name.</summary>
    public static string StatusName(RunStatus s) => s switch
    {
        RunStatus.Finished => "FINISHED",
        RunStatus.Failed => "FAILED",
        RunStatus.Killed => "KILLED",
        _ => throw new ArgumentOutOfRangeException(nameof(s)),
    };

    /// <summary>The run's tags as MLflow names them: neutral names mapped to system tags, plus mlflow.runName,
    /// mlflow.user and mlflow.source.type. Later entries win on duplicate keys.</summary>
    public static List<(string Key, string Value)> SystemTags(string runName, IEnumerable<(string Key, string Value)> tags, string user)
    {
        var result = new List<(string, string)> { (RunNameTag, runName), (UserTag, user), (SourceTypeTag, "LOCAL") };
        foreach (var (k, v) in tags)
            result.Add((k switch
            {
                TrackingTags.GitCommit => GitCommitTag,
                TrackingTags.Source => SourceNameTag,
                _ => k,
            }, v));
        return result.GroupBy(t => t.Item1).Select(g => g.Last()).ToList();
    }

    /// <summary>A metric value as Python's str(float) would write it, which MLflow's readers parse.</summary>
    public static string FormatMetric(double v) =>
        double.IsNaN(v) ? "nan"
        : double.IsPositiveInfinity(v) ? "inf"
        : double.IsNegativeInfinity(v) ? "-inf"
        : v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Truncates a value to <paramref name="max"/> characters (MLflow rejects longer ones).</summary>
    public static string Clip(string value, int max) => value.Length <= max ? value : value[..max];

    public static string CurrentUser() => Environment.UserName;
}
