using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StarGanLab.Tracking;

/// <summary>Timeouts and retry pacing of the REST client and its spool.</summary>
public sealed record MlflowRestOptions
{
    /// <summary>Per HTTP request; a request that takes longer counts as a transient failure.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Attempts per request on 429, 5xx, timeouts and connection errors before the call fails.</summary>
    public int MaxAttempts { get; init; } = 4;
    /// <summary>First retry delay; doubles per attempt up to <see cref="MaxDelay"/> (a 429's Retry-After is honoured up to it).</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(0.5);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Longest pause of the spool between delivery rounds while the server is unreachable.</summary>
    public TimeSpan OutageDelay { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Skip TLS certificate checks (MLFLOW_TRACKING_INSECURE_TLS=true).</summary>
    public bool InsecureTls { get; init; }

    /// <summary>Short delays for tests against a loopback server. The request timeout stays generous: a request that
    /// outlasts it after the server applied it is retried and arrives twice, which a 300 ms timeout let happen to ~1 MB
    /// log-batches on a loaded 2-core machine (tests that inject a stall set their own timeout below it).</summary>
    public static MlflowRestOptions Fast { get; } = new()
    {
        RequestTimeout = TimeSpan.FromSeconds(5), MaxAttempts = 3, BaseDelay = TimeSpan.FromMilliseconds(5),
        MaxDelay = TimeSpan.FromMilliseconds(40), OutageDelay = TimeSpan.FromMilliseconds(40),
    };
}

/// <summary>HTTP credentials as MLflow's Python client reads them: MLFLOW_TRACKING_TOKEN (Bearer) takes precedence over
/// MLFLOW_TRACKING_USERNAME + MLFLOW_TRACKING_PASSWORD (Basic). The secret is only ever put into an Authorization
/// header; <see cref="ToString"/> and every message show it redacted.</summary>
public sealed class MlflowCredentials
{
    readonly string scheme, parameter;
    readonly string description;

    MlflowCredentials(string scheme, string parameter, string description) =>
        (this.scheme, this.parameter, this.description) = (scheme, parameter, description);

    public static MlflowCredentials Bearer(string token) => new("Bearer", token, "bearer token from MLFLOW_TRACKING_TOKEN");

    public static MlflowCredentials Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)), $"basic auth as user '{user}'");

    public static MlflowCredentials? FromEnvironment(Func<string, string?> env)
    {
        Security.SecretRedactor.RegisterTrackingCredentials(env);
        if (env("MLFLOW_TRACKING_TOKEN") is { Length: > 0 } token) return Bearer(token);
        if (env("MLFLOW_TRACKING_USERNAME") is { Length: > 0 } user && env("MLFLOW_TRACKING_PASSWORD") is { } password)
            return Basic(user, password);
        return null;
    }

    internal AuthenticationHeaderValue Header => new(scheme, parameter);

    public override string ToString() => description + " (secret redacted)";
}

/// <summary>Why a call failed: worth retrying later, credentials refused, or the server rejected the request itself.</summary>
public enum MlflowFailure { Transient, Auth, Rejected }

/// <summary>A failed MLflow call. The message names the call, the HTTP status and MLflow's error code, never credentials.</summary>
public sealed class MlflowException(MlflowFailure kind, string message, int? statusCode = null, string? errorCode = null, Exception? inner = null)
    : Exception(message, inner)
{
    public MlflowFailure Kind { get; } = kind;
    public int? StatusCode { get; } = statusCode;
    public string? ErrorCode { get; } = errorCode;
}

/// <summary>One metric value at a step, stamped when it was produced.</summary>
public readonly record struct MetricPoint(string Key, double Value, long TimestampMs, long Step);

/// <summary>The MLflow REST API 2.0 calls a trainer needs (mlflow/protos/service.proto, mlflow_artifacts.proto):
/// experiments/get-by-name and create, runs/create, runs/log-batch (split to the server's limits), runs/update and
/// proxied artifact upload. Each call retries 429, 5xx, timeouts and connection errors with exponential backoff.</summary>
public sealed class MlflowRestClient : IDisposable
{
    readonly HttpClient http;
    readonly MlflowCredentials? credentials;
    readonly MlflowRestOptions options;
    readonly string apiBase;

    /// <param name="trackingUri">http(s)://host[:port][/prefix]; credentials in the URI are used for Basic auth
    /// when <paramref name="credentials"/> is null, and never shown.</param>
    public MlflowRestClient(Uri trackingUri, MlflowCredentials? credentials, MlflowRestOptions? options = null, HttpMessageHandler? handler = null)
    {
        this.options = options ?? new MlflowRestOptions();
        if (trackingUri.Scheme is not ("http" or "https"))
            throw new ArgumentException($"MLflow REST needs an http(s) URI, not {trackingUri.Scheme}:");
        if (credentials == null && trackingUri.UserInfo.Length > 0)
        {
            var parts = trackingUri.UserInfo.Split(':', 2);
            credentials = MlflowCredentials.Basic(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "");
        }
        this.credentials = credentials;
        TrackingUri = Redact(trackingUri);
        apiBase = TrackingUri.AbsoluteUri.TrimEnd('/') + "/api/2.0/";
        if (handler == null)
        {
            var h = new SocketsHttpHandler();
            if (this.options.InsecureTls)
                h.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
            handler = h;
        }
        http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The server address without any user info.</summary>
    public Uri TrackingUri { get; }

    public string DescribeCredentials => credentials?.ToString() ?? "no credentials";

    public static Uri Redact(Uri uri) => uri.UserInfo.Length == 0 ? uri : new UriBuilder(uri) { UserName = "", Password = "" }.Uri;

    /// <summary>The id of the experiment with this name, or null when there is none.</summary>
    public async Task<string?> GetExperimentIdByName(string name, CancellationToken ct = default)
    {
        try
        {
            var json = await Send(HttpMethod.Get, "mlflow/experiments/get-by-name?experiment_name=" + Uri.EscapeDataString(name), null, ct);
            return json?["experiment"]?["experiment_id"]?.GetValue<string>();
        }
        catch (MlflowException e) when (e.ErrorCode == "RESOURCE_DOES_NOT_EXIST")
        {
            return null;
        }
    }

    public async Task<string> CreateExperiment(string name, CancellationToken ct = default)
    {
        var json = await Send(HttpMethod.Post, "mlflow/experiments/create", new JsonObject { ["name"] = name }, ct);
        return json?["experiment_id"]?.GetValue<string>() ?? throw Malformed("experiments/create", "experiment_id");
    }

    /// <summary>Finds or creates the experiment; a concurrent creation by another client is not an error.</summary>
    public async Task<string> GetOrCreateExperiment(string name, CancellationToken ct = default)
    {
        if (await GetExperimentIdByName(name, ct) is { } id) return id;
        try
        {
            return await CreateExperiment(name, ct);
        }
        catch (MlflowException e) when (e.ErrorCode == "RESOURCE_ALREADY_EXISTS")
        {
            if (await GetExperimentIdByName(name, ct) is { } created) return created;   // made meanwhile by another client
            throw;
        }
    }

    /// <summary>runs/create; returns the run id and the run's artifact URI.</summary>
    /// <param name="userId">The run's user, as MLflow's own client sends it (its mlflow.user tag value): the UI's User column.</param>
    public async Task<(string RunId, string ArtifactUri)> CreateRun(string experimentId, string runName, long startTimeMs,
        IReadOnlyList<(string Key, string Value)> tags, CancellationToken ct = default, string? userId = null)
    {
        var body = new JsonObject
        {
            ["experiment_id"] = experimentId,
            ["run_name"] = runName,
            ["start_time"] = startTimeMs,
            ["tags"] = KeyValues(tags, MlflowConventions.MaxTagValueLength),
        };
        if (userId is { Length: > 0 }) body["user_id"] = userId;
        var json = await Send(HttpMethod.Post, "mlflow/runs/create", body, ct);
        var info = json?["run"]?["info"] ?? throw Malformed("runs/create", "run.info");
        string runId = info["run_id"]?.GetValue<string>() ?? info["run_uuid"]?.GetValue<string>() ?? throw Malformed("runs/create", "run_id");
        return (runId, info["artifact_uri"]?.GetValue<string>() ?? "");
    }

    /// <summary>runs/update (status RUNNING | FINISHED | FAILED | KILLED).</summary>
    public async Task UpdateRun(string runId, string status, long? endTimeMs, CancellationToken ct = default)
    {
        var body = new JsonObject { ["run_id"] = runId, ["run_uuid"] = runId, ["status"] = status };
        if (endTimeMs is { } end) body["end_time"] = end;
        await Send(HttpMethod.Post, "mlflow/runs/update", body, ct);
    }

    /// <summary>Logs everything in as few runs/log-batch requests as the limits allow: at most 1000 metrics, 100
    /// params, 100 tags and 1000 entities per request, and a body under 1 MB. Param values are cut to 6000 and tag
    /// values to 5000 characters. Returns the number of requests sent.</summary>
    public async Task<int> LogBatch(string runId, IReadOnlyList<MetricPoint> metrics, IReadOnlyList<(string Key, string Value)> parameters,
        IReadOnlyList<(string Key, string Value)> tags, CancellationToken ct = default)
    {
        int requests = 0;
        foreach (var body in BatchBodies(runId, metrics, parameters, tags))
        {
            await SendRaw(HttpMethod.Post, "mlflow/runs/log-batch", () => new ByteArrayContent(body) { Headers = { ContentType = Json() } }, ct);
            requests++;
        }
        return requests;
    }

    static MediaTypeHeaderValue Json() => new("application/json") { CharSet = "utf-8" };

    internal static IEnumerable<byte[]> BatchBodies(string runId, IReadOnlyList<MetricPoint> metrics,
        IReadOnlyList<(string Key, string Value)> parameters, IReadOnlyList<(string Key, string Value)> tags)
    {
        int m = 0, p = 0, t = 0;
        while (m < metrics.Count || p < parameters.Count || t < tags.Count)
        {
            int mn = Math.Min(metrics.Count - m, MlflowConventions.MaxMetricsPerBatch);
            int pn = Math.Min(parameters.Count - p, Math.Min(MlflowConventions.MaxParamsPerBatch, MlflowConventions.MaxEntitiesPerBatch - mn));
            int tn = Math.Min(tags.Count - t, Math.Min(MlflowConventions.MaxTagsPerBatch, MlflowConventions.MaxEntitiesPerBatch - mn - pn));
            foreach (var body in SplitBySize(runId, metrics.Skip(m).Take(mn).ToList(), parameters.Skip(p).Take(pn).ToList(), tags.Skip(t).Take(tn).ToList()))
                yield return body;
            (m, p, t) = (m + mn, p + pn, t + tn);
        }
    }

    static IEnumerable<byte[]> SplitBySize(string runId, List<MetricPoint> metrics, List<(string, string)> parameters, List<(string, string)> tags)
    {
        var body = BatchBody(runId, metrics, parameters, tags);
        if (body.Length <= MlflowConventions.MaxBatchBytes || metrics.Count + parameters.Count + tags.Count <= 1)
        {
            yield return body;
            yield break;
        }
        // Halve whichever list is longest until each request fits (only long params/tags can get here).
        int hm = metrics.Count / 2, hp = parameters.Count / 2, ht = tags.Count / 2;
        foreach (var b in SplitBySize(runId, metrics.GetRange(0, hm), parameters.GetRange(0, hp), tags.GetRange(0, ht))) yield return b;
        foreach (var b in SplitBySize(runId, metrics.GetRange(hm, metrics.Count - hm), parameters.GetRange(hp, parameters.Count - hp), tags.GetRange(ht, tags.Count - ht))) yield return b;
    }

    static byte[] BatchBody(string runId, List<MetricPoint> metrics, List<(string Key, string Value)> parameters, List<(string Key, string Value)> tags)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("run_id", runId);
            w.WriteStartArray("metrics");
            foreach (var x in metrics)
            {
                w.WriteStartObject();
                w.WriteString("key", x.Key);
                // proto3 JSON spells non-finite doubles as strings
                if (double.IsFinite(x.Value)) w.WriteNumber("value", x.Value);
                else w.WriteString("value", double.IsNaN(x.Value) ? "NaN" : x.Value > 0 ? "Infinity" : "-Infinity");
                w.WriteNumber("timestamp", x.TimestampMs);
                w.WriteNumber("step", x.Step);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            WritePairs(w, "params", parameters, MlflowConventions.MaxParamValueLength);
            WritePairs(w, "tags", tags, MlflowConventions.MaxTagValueLength);
            w.WriteEndObject();
        }
        return stream.ToArray();
    }

    static void WritePairs(Utf8JsonWriter w, string name, List<(string Key, string Value)> pairs, int maxValue)
    {
        w.WriteStartArray(name);
        foreach (var (k, v) in pairs)
        {
            w.WriteStartObject();
            w.WriteString("key", k);
            w.WriteString("value", MlflowConventions.Clip(v, maxValue));
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    /// <summary>PUT a file to the server's artifact proxy under the run's artifact URI
    /// (mlflow-artifacts:/&lt;exp&gt;/&lt;run&gt;/artifacts -> /api/2.0/mlflow-artifacts/artifacts/&lt;exp&gt;/&lt;run&gt;/artifacts/&lt;path&gt;).</summary>
    public async Task UploadArtifact(string artifactUri, string localPath, string artifactPath, CancellationToken ct = default)
    {
        if (!artifactUri.StartsWith("mlflow-artifacts:", StringComparison.Ordinal))
            throw new MlflowException(MlflowFailure.Rejected,
                $"the run's artifact URI {artifactUri} is not served by the tracking server (start it with --serve-artifacts); {localPath} was not uploaded");
        string rest = artifactUri["mlflow-artifacts:".Length..];
        if (rest.StartsWith("//", StringComparison.Ordinal))   // mlflow-artifacts://host:port/path: the path is what counts
        {
            int slash = rest.IndexOf('/', 2);
            rest = slash < 0 ? "" : rest[slash..];
        }
        var segments = rest.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Concat(artifactPath.Split('/', StringSplitOptions.RemoveEmptyEntries))
            .Append(Path.GetFileName(localPath))
            .Select(Uri.EscapeDataString);
        if (!File.Exists(localPath)) throw new FileNotFoundException($"artifact {localPath} does not exist", localPath);
        await SendRaw(HttpMethod.Put, "mlflow-artifacts/artifacts/" + string.Join("/", segments),
            () => new StreamContent(File.OpenRead(localPath)) { Headers = { ContentType = new MediaTypeHeaderValue("application/octet-stream") } }, ct);
    }

    static JsonArray KeyValues(IReadOnlyList<(string Key, string Value)> pairs, int maxValue) =>
        new(pairs.Select(p => (JsonNode)new JsonObject { ["key"] = p.Key, ["value"] = MlflowConventions.Clip(p.Value, maxValue) }).ToArray());

    static MlflowException Malformed(string call, string field) =>
        new(MlflowFailure.Rejected, $"MLflow {call} answered without {field}");

    async Task<JsonNode?> Send(HttpMethod method, string path, JsonObject? body, CancellationToken ct)
    {
        byte[]? bytes = body == null ? null : Encoding.UTF8.GetBytes(body.ToJsonString());
        string text = await SendRaw(method, path, bytes == null ? null : () => new ByteArrayContent(bytes) { Headers = { ContentType = Json() } }, ct);
        return text.Length == 0 ? null : JsonNode.Parse(text);
    }

    /// <summary>One call with retries. <paramref name="content"/> makes a fresh body per attempt.</summary>
    async Task<string> SendRaw(HttpMethod method, string path, Func<HttpContent>? content, CancellationToken ct)
    {
        string call = $"{method} {path.Split('?')[0]}";
        for (int attempt = 1; ; attempt++)
        {
            TimeSpan? retryAfter = null;
            MlflowException failure;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.RequestTimeout);
            try
            {
                using var request = new HttpRequestMessage(method, apiBase + path) { Content = content?.Invoke() };
                if (credentials != null) request.Headers.Authorization = credentials.Header;
                using var response = await http.SendAsync(request, timeout.Token);
                string text = await response.Content.ReadAsStringAsync(timeout.Token);
                if (response.IsSuccessStatusCode) return text;
                failure = Failure(call, response.StatusCode, text);
                if (response.Headers.RetryAfter?.Delta is { } delta) retryAfter = delta;
            }
            catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
            {
                failure = new MlflowException(MlflowFailure.Transient, $"MLflow {call} timed out after {options.RequestTimeout.TotalSeconds:0.###} s", inner: e);
            }
            catch (HttpRequestException e)
            {
                failure = new MlflowException(MlflowFailure.Transient, $"MLflow {call} could not reach {TrackingUri.Authority}: {e.Message}", inner: e);
            }
            if (failure.Kind != MlflowFailure.Transient || attempt >= options.MaxAttempts) throw failure;
            var delay = TimeSpan.FromTicks(Math.Min(options.MaxDelay.Ticks, options.BaseDelay.Ticks << Math.Min(attempt - 1, 20)));
            if (retryAfter is { } ra) delay = TimeSpan.FromTicks(Math.Min(options.MaxDelay.Ticks, Math.Max(delay.Ticks, ra.Ticks)));
            await Task.Delay(delay, ct);
        }
    }

    MlflowException Failure(string call, HttpStatusCode status, string body)
    {
        string? code = null, message = null;
        try
        {
            var json = JsonNode.Parse(body);
            code = json?["error_code"]?.GetValue<string>();
            message = json?["message"]?.GetValue<string>();
        }
        catch (JsonException) { message = body.Length > 200 ? body[..200] : body; }
        int s = (int)status;
        var kind = s is 401 or 403 ? MlflowFailure.Auth
                 : s is 429 or 408 || s >= 500 ? MlflowFailure.Transient
                 : MlflowFailure.Rejected;
        string text = $"MLflow {call} at {TrackingUri.Authority} answered {s} {status}" + (code != null ? $" {code}" : "") + (string.IsNullOrEmpty(message) ? "" : $": {message}");
        if (kind == MlflowFailure.Auth) text += $" (sent {DescribeCredentials}; set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD)";
        return new MlflowException(kind, text, s, code);
    }

    public void Dispose() => http.Dispose();
}
