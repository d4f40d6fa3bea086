using System.Text.RegularExpressions;

namespace StarGanLab.Tracking;

/// <summary>Chooses the MLflow sink the way MLflow's own client reads its environment: MLFLOW_TRACKING_URI http(s)://
/// gives the REST sink (credentials from MLFLOW_TRACKING_TOKEN or MLFLOW_TRACKING_USERNAME/PASSWORD,
/// MLFLOW_TRACKING_INSECURE_TLS), a path or file: URI the file store there, unset the file store ./mlruns.
/// The run's losses.jsonl is written by LossLogHook whatever is chosen here.</summary>
public static partial class TrackingFactory
{
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]+:")]
    private static partial Regex Scheme();

    /// <param name="runDirectory">The training run's folder (spool and resume state live in its tracking/ folder).</param>
    /// <param name="env">Environment lookup; null reads the process environment.</param>
    public static Tracker FromEnvironment(string runDirectory, Action<string> log, Func<string, string?>? env = null,
                                          MlflowRestOptions? restOptions = null) =>
        new([SinkFromEnvironment(runDirectory, log, env, restOptions)], log);

    public static ITrackingSink SinkFromEnvironment(string runDirectory, Action<string> log, Func<string, string?>? env = null,
                                                    MlflowRestOptions? restOptions = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        Security.SecretRedactor.RegisterTrackingCredentials(env);
        log = Security.SecretRedactor.Wrap(log);
        string? uri = env("MLFLOW_TRACKING_URI")?.Trim();
        if (uri is { Length: > 0 } && (uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
        {
            var options = (restOptions ?? new MlflowRestOptions()) with
            {
                InsecureTls = restOptions?.InsecureTls == true || string.Equals(env("MLFLOW_TRACKING_INSECURE_TLS"), "true", StringComparison.OrdinalIgnoreCase),
            };
            var client = new MlflowRestClient(new Uri(uri), MlflowCredentials.FromEnvironment(env), options);
            log($"tracking to {client.TrackingUri} ({client.DescribeCredentials})");
            return new MlflowRestSink(client, runDirectory, log, options);
        }
        if (uri is { Length: > 0 } && Scheme().IsMatch(uri) && !uri.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            string fallback = MlflowFileStore.RootFromUri(null);
            log($"tracking: MLFLOW_TRACKING_URI with scheme '{uri.Split(':')[0]}' is not supported (StarGanLab speaks MLflow's REST API " +
                $"or writes the mlruns file store); writing {fallback} instead. To log into a database, run `mlflow server " +
                "--backend-store-uri <that uri>` and set MLFLOW_TRACKING_URI=http://host:5000");
            return new MlflowFileStore(fallback, runDirectory, log);
        }
        var store = new MlflowFileStore(MlflowFileStore.RootFromUri(uri), runDirectory, log);
        log($"tracking to {store.Root} (view with: mlflow ui --backend-store-uri {store.Root})");
        return store;
    }
}
