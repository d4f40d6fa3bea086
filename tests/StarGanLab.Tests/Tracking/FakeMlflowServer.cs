using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StarGanLab.Tests.Tracking;

/// <summary>An MLflow tracking server stand-in on 127.0.0.1 (HttpListener, free port) that records every request and
/// enforces what ECOSYSTEM.md section 2 documents: JSON bodies with Content-Type application/json, required fields,
/// log-batch limits (1000 metrics, 100 params, 100 tags, 1000 entities, 1 MB, value lengths), write-once params,
/// status names. A violation is answered 400 INVALID_PARAMETER_VALUE and listed in <see cref="Violations"/>.
/// Faults: <see cref="Down"/> (503 for everything), <see cref="Inject"/> (the next requests get 500/429/a stall).</summary>
sealed class FakeMlflowServer : IDisposable
{
    public sealed record Request(string Method, string Path, string Query, string? ContentType, string? Authorization, byte[] Body, int Status)
    {
        public string Text => Encoding.UTF8.GetString(Body);
        public JsonNode? Json => Body.Length == 0 ? null : JsonNode.Parse(Body);
    }

    public sealed record Fault(int Status = 0, TimeSpan Stall = default);

    public sealed class Run
    {
        public required string ExperimentId, Name;
        public string Status = "RUNNING";
        public long StartTime;
        public long? EndTime;
        public Dictionary<string, string> Params = [], Tags = [];
        public List<(string Key, double Value, long Timestamp, long Step)> Metrics = [];
    }

    readonly HttpListener listener = new();
    readonly object gate = new();
    readonly ConcurrentQueue<Fault> faults = new();
    readonly Task loop;

    public Uri Uri { get; }
    readonly List<Request> requests = [];
    /// <summary>Every request so far, in the order the answers were sent.</summary>
    public List<Request> Requests { get { lock (gate) return [.. requests]; } }
    public List<string> Violations { get; } = [];
    public Dictionary<string, string> Experiments { get; } = [];   // name -> id
    public Dictionary<string, Run> Runs { get; } = [];
    public Dictionary<string, byte[]> Artifacts { get; } = [];
    /// <summary>When set, requests without exactly this Authorization header get 401.</summary>
    public string? RequiredAuthorization { get; set; }
    public bool Down { get; set; }
    /// <summary>While reset, every request waits unanswered (a server that hangs); set again to let them through.</summary>
    public ManualResetEventSlim Answering { get; } = new(initialState: true);

    /// <param name="port">0: a free port; else this one (e.g. the address a run already tried while no server was up).</param>
    public FakeMlflowServer(int port = 0)
    {
        if (port == 0)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }
        Uri = new Uri($"http://127.0.0.1:{port}/");
        listener.Prefixes.Add(Uri.AbsoluteUri);
        listener.Start();
        loop = Task.Run(Loop);
    }

    public void Inject(params Fault[] next) { foreach (var f in next) faults.Enqueue(f); }

    public List<Request> Calls(string pathEnd)
    {
        lock (gate) return requests.Where(r => r.Path.EndsWith(pathEnd, StringComparison.Ordinal)).ToList();
    }

    public T Locked<T>(Func<T> read) { lock (gate) return read(); }

    async Task Loop()
    {
        while (listener.IsListening)
        {
            HttpListenerContext ctx;
            try { ctx = await listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            _ = Task.Run(() => Handle(ctx));
        }
    }

    async Task Handle(HttpListenerContext ctx)
    {
        var req = ctx.Request;
        using var ms = new MemoryStream();
        await req.InputStream.CopyToAsync(ms);
        byte[] body = ms.ToArray();
        await Task.Run(() => Answering.Wait());
        string path = req.Url!.AbsolutePath;
        int status;
        string answer;
        if (faults.TryDequeue(out var fault))
        {
            if (fault.Stall > TimeSpan.Zero)
            {
                await Task.Delay(fault.Stall);    // the client gives up first; nothing is processed
                (status, answer) = (503, Error("TEMPORARILY_UNAVAILABLE", "stalled"));
            }
            else (status, answer) = (fault.Status, Error(fault.Status == 429 ? "REQUEST_LIMIT_EXCEEDED" : "INTERNAL_ERROR", "injected"));
        }
        else if (Down) (status, answer) = (503, Error("TEMPORARILY_UNAVAILABLE", "down"));
        else if (RequiredAuthorization != null && req.Headers["Authorization"] != RequiredAuthorization)
            (status, answer) = (401, Error("UNAUTHENTICATED", "You are not authenticated."));
        else
        {
            try
            {
                lock (gate) (status, answer) = Route(req.HttpMethod, path, req.QueryString, req.ContentType, body);
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException or NullReferenceException)
            {
                (status, answer) = Violation($"{req.HttpMethod} {path}: malformed body ({e.Message})");
            }
        }
        lock (gate) requests.Add(new Request(req.HttpMethod, path, req.Url.Query, req.ContentType, req.Headers["Authorization"], body, status));
        try
        {
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = "application/json";
            var bytes = Encoding.UTF8.GetBytes(answer);
            await ctx.Response.OutputStream.WriteAsync(bytes);
            ctx.Response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or IOException) { /* the client timed out and left */ }
    }

    (int, string) Route(string method, string path, System.Collections.Specialized.NameValueCollection query, string? contentType, byte[] body)
    {
        const string api = "/api/2.0/mlflow/", artifacts = "/api/2.0/mlflow-artifacts/artifacts/";
        if (method == "PUT" && path.StartsWith(artifacts, StringComparison.Ordinal))
        {
            string rel = Uri.UnescapeDataString(path[artifacts.Length..]);
            var parts = rel.Split('/');
            if (parts.Length < 4 || !Runs.ContainsKey(parts[1]) || parts[2] != "artifacts")
                return Violation($"artifact path {rel} is not <exp>/<run>/artifacts/<path>");
            Artifacts[rel] = body;
            return (200, "{}");
        }
        if (!path.StartsWith(api, StringComparison.Ordinal)) return (404, Error("ENDPOINT_NOT_FOUND", path));
        string call = path[api.Length..];
        if (method == "GET" && call == "experiments/get-by-name")
        {
            string? name = query["experiment_name"];
            if (name == null) return Violation("get-by-name without experiment_name");
            return Experiments.TryGetValue(name, out var id)
                ? (200, new JsonObject { ["experiment"] = new JsonObject { ["experiment_id"] = id, ["name"] = name, ["lifecycle_stage"] = "active" } }.ToJsonString())
                : (404, Error("RESOURCE_DOES_NOT_EXIST", $"Could not find experiment with name '{name}'"));
        }
        if (method != "POST") return (404, Error("ENDPOINT_NOT_FOUND", $"{method} {call}"));
        if (contentType == null || !contentType.StartsWith("application/json", StringComparison.Ordinal))
            return Violation($"{call}: Content-Type is {contentType ?? "missing"}, not application/json");
        if (body.Length > 1_000_000) return Violation($"{call}: body of {body.Length} bytes is over 1 MB");
        var json = JsonNode.Parse(body)!.AsObject();
        switch (call)
        {
            case "experiments/create":
            {
                string name = Required<string>(json, "name");
                if (Experiments.ContainsKey(name)) return (400, Error("RESOURCE_ALREADY_EXISTS", $"Experiment '{name}' already exists."));
                string id = (Experiments.Count + 1).ToString();
                Experiments[name] = id;
                return (200, new JsonObject { ["experiment_id"] = id }.ToJsonString());
            }
            case "runs/create":
            {
                string expId = Required<string>(json, "experiment_id");
                if (!Experiments.ContainsValue(expId)) return Violation($"runs/create: no experiment {expId}");
                long start = Required<long>(json, "start_time");
                var run = new Run { ExperimentId = expId, Name = json["run_name"]?.GetValue<string>() ?? "", StartTime = start };
                foreach (var t in json["tags"]?.AsArray() ?? [])
                    run.Tags[Required<string>(t!.AsObject(), "key")] = Required<string>(t.AsObject(), "value");
                string runId = Guid.NewGuid().ToString("N");
                Runs[runId] = run;
                return (200, new JsonObject
                {
                    ["run"] = new JsonObject
                    {
                        ["info"] = new JsonObject
                        {
                            ["run_id"] = runId, ["run_uuid"] = runId, ["run_name"] = run.Name, ["experiment_id"] = expId,
                            ["status"] = "RUNNING", ["start_time"] = start, ["artifact_uri"] = $"mlflow-artifacts:/{expId}/{runId}/artifacts",
                            ["lifecycle_stage"] = "active",
                        },
                        ["data"] = new JsonObject(),
                    },
                }.ToJsonString());
            }
            case "runs/update":
            {
                var run = RunOf(json);
                if (run == null) return (404, Error("RESOURCE_DOES_NOT_EXIST", "no such run"));
                string st = Required<string>(json, "status");
                if (st is not ("RUNNING" or "SCHEDULED" or "FINISHED" or "FAILED" or "KILLED")) return Violation($"runs/update: status {st}");
                run.Status = st;
                if (json["end_time"] is { } end) run.EndTime = end.GetValue<long>();
                return (200, "{\"run_info\":{}}");
            }
            case "runs/log-batch":
                return LogBatch(json);
            default:
                return (404, Error("ENDPOINT_NOT_FOUND", call));
        }
    }

    (int, string) LogBatch(JsonObject json)
    {
        var run = RunOf(json);
        if (run == null) return (404, Error("RESOURCE_DOES_NOT_EXIST", "no such run"));
        var metrics = json["metrics"]?.AsArray() ?? [];
        var ps = json["params"]?.AsArray() ?? [];
        var tags = json["tags"]?.AsArray() ?? [];
        if (metrics.Count > 1000) return Violation($"log-batch: {metrics.Count} metrics > 1000");
        if (ps.Count > 100) return Violation($"log-batch: {ps.Count} params > 100");
        if (tags.Count > 100) return Violation($"log-batch: {tags.Count} tags > 100");
        if (metrics.Count + ps.Count + tags.Count > 1000) return Violation("log-batch: more than 1000 entities");
        var parsedMetrics = new List<(string, double, long, long)>();
        foreach (var m in metrics)
        {
            var o = m!.AsObject();
            var v = o["value"] ?? throw new KeyNotFoundException("metric value");
            double value = v.GetValueKind() == JsonValueKind.String ? double.Parse(v.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture) : v.GetValue<double>();
            parsedMetrics.Add((Required<string>(o, "key"), value, Required<long>(o, "timestamp"), o["step"]?.GetValue<long>() ?? 0));
        }
        foreach (var p in ps)
        {
            string k = Required<string>(p!.AsObject(), "key"), v = Required<string>(p.AsObject(), "value");
            if (v.Length > 6000) return Violation($"log-batch: param {k} value of {v.Length} chars > 6000");
            if (run.Params.TryGetValue(k, out var old) && old != v)
                return (400, Error("INVALID_PARAMETER_VALUE", $"Changing param values is not allowed. Param with key='{k}' was already logged with value='{old}'"));
        }
        foreach (var t in tags)
        {
            string v = Required<string>(t!.AsObject(), "value");
            if (v.Length > 5000) return Violation($"log-batch: tag value of {v.Length} chars > 5000");
        }
        foreach (var p in ps) run.Params[p!["key"]!.GetValue<string>()] = p["value"]!.GetValue<string>();
        foreach (var t in tags) run.Tags[t!["key"]!.GetValue<string>()] = t["value"]!.GetValue<string>();
        run.Metrics.AddRange(parsedMetrics);
        return (200, "{}");
    }

    Run? RunOf(JsonObject json) => Runs.GetValueOrDefault(Required<string>(json, "run_id"));

    static T Required<T>(JsonObject o, string field) =>
        o[field] is { } v ? v.GetValue<T>() : throw new KeyNotFoundException($"missing field {field}");

    (int, string) Violation(string what)
    {
        lock (gate) Violations.Add(what);
        return (400, Error("INVALID_PARAMETER_VALUE", what));
    }

    static string Error(string code, string message) => new JsonObject { ["error_code"] = code, ["message"] = message }.ToJsonString();

    public void Dispose()
    {
        Answering.Set();   // no handler stays parked after the test
        // Close alone (it stops too): Stop then Close made Linux's managed listener unbind the prefix twice, and the
        // second time it binds the port again to look it up, which fails once another test's server has that port
        // ("Address already in use", seen once in a full run). The test is over by then, so such a failure is moot.
        try { listener.Close(); }
        catch (HttpListenerException) { }
        try { loop.Wait(TimeSpan.FromSeconds(2)); } catch (AggregateException) { }
    }
}
