using System.Globalization;
using System.Text;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace StarGanLab.Tracking;

/// <summary>Writes MLflow's file-store layout (mlruns/), which <c>mlflow ui --backend-store-uri ./mlruns</c> reads
/// (MLflow 3.13+ only with MLFLOW_ALLOW_FILE_STORE=true; <c>mlflow migrate-filestore</c> converts it to SQLite).
/// Layout as mlflow/store/tracking/file_store.py: &lt;root&gt;/&lt;experiment_id&gt;/meta.yaml,
/// &lt;root&gt;/&lt;experiment_id&gt;/&lt;run_id&gt;/{meta.yaml, metrics/, params/, tags/, artifacts/}; a key with '/'
/// becomes sub-folders. When given the training run directory, the store remembers the MLflow run there
/// (tracking/mlflow-file.json) so a resumed training run continues the same MLflow run.</summary>
public sealed class MlflowFileStore : ITrackingSink
{
    public const string DefaultExperimentId = "0";
    const string StateFile = "mlflow-file.json";

    readonly string? runDirectory;
    readonly Action<string> warn;
    readonly string user;
    readonly HashSet<string> warnedKeys = [];
    readonly HashSet<string> knownDirs = [];
    RunMeta? run;
    bool trimOnFirstMetrics;

    /// <param name="root">The mlruns folder (created when missing).</param>
    /// <param name="runDirectory">The training run's folder, for resume; null to not remember the run.</param>
    public MlflowFileStore(string root, string? runDirectory, Action<string> warn, string? user = null)
    {
        Root = Path.GetFullPath(root);
        this.runDirectory = runDirectory;
        this.warn = warn;
        this.user = user ?? MlflowConventions.CurrentUser();
    }

    public string Root { get; }
    public string Describe => $"MLflow file store {Root}";
    public string? ExperimentId => run?.ExperimentId;
    public string? RunId => run?.RunId;
    /// <summary>Folder of the current run: &lt;root&gt;/&lt;experiment_id&gt;/&lt;run_id&gt;.</summary>
    public string? RunPath => run == null ? null : Path.Combine(Root, run.ExperimentId, run.RunId);

    /// <summary>The mlruns folder a tracking URI names: null or empty gives ./mlruns; file:///abs, file:rel and
    /// plain paths are accepted.</summary>
    public static string RootFromUri(string? uri)
    {
        if (string.IsNullOrWhiteSpace(uri)) return Path.GetFullPath("mlruns");
        if (uri.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            if (Uri.TryCreate(uri, UriKind.Absolute, out var u) && u.IsFile && uri.StartsWith("file://", StringComparison.OrdinalIgnoreCase))
                return Path.GetFullPath(u.LocalPath);
            return Path.GetFullPath(Uri.UnescapeDataString(uri["file:".Length..]));
        }
        return Path.GetFullPath(uri);
    }

    /// <summary>The id of the active experiment called <paramref name="name"/>, created when missing (and the
    /// Default experiment "0" with it on first use). Safe against other processes doing the same (a lock file).</summary>
    public string GetOrCreateExperiment(string name)
    {
        Directory.CreateDirectory(Root);
        using var _ = LockRoot();
        if (!Directory.Exists(Path.Combine(Root, DefaultExperimentId)) && !Directory.Exists(Path.Combine(Root, ".trash", DefaultExperimentId)))
            WriteExperiment(DefaultExperimentId, "Default");
        foreach (var dir in Directory.EnumerateDirectories(Root))
        {
            string id = Path.GetFileName(dir);
            if (id.StartsWith('.') || id == "models") continue;
            var meta = ReadYaml(Path.Combine(dir, "meta.yaml"));
            if (meta != null && meta.GetValueOrDefault("name") == name && meta.GetValueOrDefault("lifecycle_stage", "active") == "active")
                return meta.GetValueOrDefault("experiment_id") ?? id;
        }
        string newId;
        do newId = Random.Shared.NextInt64(100_000_000_000_000_000L, long.MaxValue).ToString(CultureInfo.InvariantCulture);
        while (Directory.Exists(Path.Combine(Root, newId)) || Directory.Exists(Path.Combine(Root, ".trash", newId)));
        WriteExperiment(newId, name);
        return newId;
    }

    void WriteExperiment(string id, string name)
    {
        long now = NowMs();
        string dir = Path.Combine(Root, id);
        Directory.CreateDirectory(dir);
        WriteAtomic(Path.Combine(dir, "meta.yaml"), Yaml([
            ("artifact_location", FileUri(dir)),
            ("creation_time", now),
            ("experiment_id", id),
            ("last_update_time", now),
            ("lifecycle_stage", "active"),
            ("name", name),
        ]));
    }

    public void StartRun(string experiment, string runName, IReadOnlyList<(string Key, string Value)> parameters,
                         IReadOnlyList<(string Key, string Value)> tags)
    {
        if (run != null) throw new InvalidOperationException("StartRun was already called for this store");
        bool reopened = TryReopen();
        if (reopened)
        {
            run = run! with { Status = MlflowConventions.RunningCode, EndTime = null };
            trimOnFirstMetrics = true;
        }
        else
        {
            string expId = GetOrCreateExperiment(experiment);
            string runId = Guid.NewGuid().ToString("N");
            string expMeta = Path.Combine(Root, expId, "meta.yaml");
            string artifactLocation = ReadYaml(expMeta)?.GetValueOrDefault("artifact_location") ?? FileUri(Path.Combine(Root, expId));
            run = new RunMeta(artifactLocation.TrimEnd('/') + "/" + runId + "/artifacts", expId, runId, runName,
                              NowMs(), null, MlflowConventions.RunningCode, user);
        }
        Directory.CreateDirectory(RunPath!);
        WriteRunMeta();
        RememberRun();
        foreach (var (key, value) in parameters) WriteParam(key, value);
        foreach (var (key, value) in MlflowConventions.SystemTags(runName, tags, user)) WriteTag(key, value);
    }

    public void LogMetrics(long step, long timestampMs, IReadOnlyList<(string Key, double Value)> metrics)
    {
        RequireRun();
        if (trimOnFirstMetrics)
        {
            // A resumed training run repeats the steps after its checkpoint: drop what the first attempt logged.
            trimOnFirstMetrics = false;
            TrimMetricsFrom(step);
        }
        foreach (var (key, value) in metrics)
            if (CheckKey(key, "metric"))
                File.AppendAllText(KeyPath("metrics", key),
                    string.Create(CultureInfo.InvariantCulture, $"{timestampMs} {MlflowConventions.FormatMetric(value)} {step}\n"));
    }

    public void LogArtifact(string localPath, string artifactPath)
    {
        var r = RequireRun();
        if (!File.Exists(localPath))
        {
            warn($"tracking: artifact {localPath} does not exist; skipped");
            return;
        }
        if (!r.ArtifactUri.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
        {
            WarnOnce("artifact-uri", $"tracking: run artifact location {r.ArtifactUri} is not a local folder; artifacts are not copied");
            return;
        }
        string artifactsRoot = Path.GetFullPath(new Uri(r.ArtifactUri).LocalPath);
        string folder = string.IsNullOrEmpty(artifactPath) ? artifactsRoot : Path.GetFullPath(Path.Combine(artifactsRoot, artifactPath));
        if (artifactPath.Length > 0 && (MlflowConventions.KeyProblem(artifactPath) != null ||
                                        !folder.StartsWith(artifactsRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
        {
            warn($"tracking: artifact folder '{artifactPath}' is not a plain relative path; {localPath} skipped");
            return;
        }
        Directory.CreateDirectory(folder);
        File.Copy(localPath, Path.Combine(folder, Path.GetFileName(localPath)), overwrite: true);
    }

    public void EndRun(RunStatus status, long timestampMs)
    {
        run = RequireRun() with { Status = MlflowConventions.StatusCode(status), EndTime = timestampMs };
        WriteRunMeta();
    }

    public void Dispose() { }

    /// <summary>Points every experiment's artifact_location and every run's artifact_uri that is a file: URI at
    /// the folder's current place (after mlruns/ was moved or copied to another machine). Returns how many
    /// meta.yaml files changed. Artifact locations that are not file: URIs are left alone.</summary>
    public static int RewriteArtifactUris(string root)
    {
        root = Path.GetFullPath(root);
        int changed = 0;
        foreach (var expDir in Directory.EnumerateDirectories(root))
        {
            string id = Path.GetFileName(expDir);
            if (id.StartsWith('.') || id == "models") continue;
            string expMeta = Path.Combine(expDir, "meta.yaml");
            if (!File.Exists(expMeta)) continue;
            string location = FileUri(expDir);
            changed += RewriteLine(expMeta, "artifact_location", location);
            foreach (var runDir in Directory.EnumerateDirectories(expDir))
            {
                string runMeta = Path.Combine(runDir, "meta.yaml");
                if (File.Exists(runMeta))
                    changed += RewriteLine(runMeta, "artifact_uri", location + "/" + Path.GetFileName(runDir) + "/artifacts");
            }
        }
        return changed;
    }

    static int RewriteLine(string metaPath, string key, string uri)
    {
        var lines = File.ReadAllLines(metaPath);
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].StartsWith(key + ":", StringComparison.Ordinal)) continue;
            string old = lines[i][(key.Length + 1)..].Trim().Trim('\'', '"');
            if (!old.StartsWith("file:", StringComparison.OrdinalIgnoreCase) || old == uri) return 0;
            lines[i] = $"{key}: {Quote(uri)}";
            WriteAtomic(metaPath, string.Join("\n", lines) + "\n");
            return 1;
        }
        return 0;
    }

    // ---- runs ----

    sealed record RunMeta(string ArtifactUri, string ExperimentId, string RunId, string RunName, long StartTime,
                          long? EndTime, int Status, string UserId);

    RunMeta RequireRun() => run ?? throw new InvalidOperationException("StartRun must come first");

    void WriteRunMeta()
    {
        var r = RequireRun();
        WriteAtomic(Path.Combine(RunPath!, "meta.yaml"), Yaml([
            ("artifact_uri", r.ArtifactUri),
            ("end_time", r.EndTime),
            ("entry_point_name", ""),
            ("experiment_id", r.ExperimentId),
            ("lifecycle_stage", "active"),
            ("run_id", r.RunId),
            ("run_name", r.RunName),
            ("run_uuid", r.RunId),
            ("source_name", ""),
            ("source_type", 4),
            ("source_version", ""),
            ("start_time", r.StartTime),
            ("status", r.Status),
            ("tags", Array.Empty<string>()),
            ("user_id", r.UserId),
            ("deleted_time", null),
        ]));
    }

    bool TryReopen()
    {
        if (runDirectory == null) return false;
        string statePath = Path.Combine(runDirectory, "tracking", StateFile);
        if (!File.Exists(statePath)) return false;
        using var doc = JsonDocument.Parse(File.ReadAllText(statePath));
        var s = doc.RootElement;
        if (s.GetProperty("root").GetString() != Root) return false;
        string expId = s.GetProperty("experiment_id").GetString()!, runId = s.GetProperty("run_id").GetString()!;
        var meta = ReadYaml(Path.Combine(Root, expId, runId, "meta.yaml"));
        if (meta == null || meta.GetValueOrDefault("lifecycle_stage") != "active") return false;
        run = new RunMeta(meta["artifact_uri"]!, expId, runId, meta.GetValueOrDefault("run_name") ?? "",
                          long.Parse(meta["start_time"]!, CultureInfo.InvariantCulture), null,
                          MlflowConventions.RunningCode, meta.GetValueOrDefault("user_id") ?? user);
        return true;
    }

    void RememberRun()
    {
        if (runDirectory == null) return;
        string dir = Path.Combine(runDirectory, "tracking");
        Directory.CreateDirectory(dir);
        WriteAtomic(Path.Combine(dir, StateFile), JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["root"] = Root, ["experiment_id"] = run!.ExperimentId, ["run_id"] = run.RunId,
        }));
    }

    void TrimMetricsFrom(long step)
    {
        string metrics = Path.Combine(RunPath!, "metrics");
        if (!Directory.Exists(metrics)) return;
        foreach (var file in Directory.EnumerateFiles(metrics, "*", SearchOption.AllDirectories))
        {
            var lines = File.ReadAllLines(file);
            var kept = lines.Where(l => StepOf(l) < step).ToArray();
            if (kept.Length != lines.Length) WriteAtomic(file, kept.Length == 0 ? "" : string.Join("\n", kept) + "\n");
        }
    }

    static long StepOf(string line)
    {
        var f = line.Split(' ');
        return f.Length >= 3 && long.TryParse(f[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out long s) ? s : 0;
    }

    void WriteParam(string key, string value)
    {
        if (!CheckKey(key, "param")) return;
        if (value.Length > MlflowConventions.MaxParamValueLength)
        {
            warn($"tracking: param {key} is longer than {MlflowConventions.MaxParamValueLength} characters; truncated");
            value = MlflowConventions.Clip(value, MlflowConventions.MaxParamValueLength);
        }
        string path = KeyPath("params", key);
        if (File.Exists(path))
        {
            string old = File.ReadAllText(path);
            if (old != value)
                warn($"tracking: param {key} changed from '{old}' to '{value}' but MLflow params are write-once; the run keeps '{old}' (config.yaml has the new value)");
            return;
        }
        File.WriteAllText(path, value);
    }

    void WriteTag(string key, string value)
    {
        if (!CheckKey(key, "tag")) return;
        File.WriteAllText(KeyPath("tags", key), MlflowConventions.Clip(value, MlflowConventions.MaxTagValueLength));
    }

    bool CheckKey(string key, string kind)
    {
        if (MlflowConventions.KeyProblem(key) is not { } problem) return true;
        WarnOnce(kind + ":" + key, $"tracking: {kind} name '{key}' is not valid for MLflow ({problem}); not logged");
        return false;
    }

    void WarnOnce(string id, string message)
    {
        if (warnedKeys.Add(id)) warn(message);
    }

    /// <summary>&lt;run&gt;/&lt;folder&gt;/&lt;key&gt; with the key's '/' as sub-folders (which exist on return).</summary>
    string KeyPath(string folder, string key)
    {
        string path = Path.Combine(RunPath!, folder, key.Replace('/', Path.DirectorySeparatorChar));
        string dir = Path.GetDirectoryName(path)!;
        if (knownDirs.Add(dir)) Directory.CreateDirectory(dir);
        return path;
    }

    // ---- files ----

    static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    static string FileUri(string path) => new Uri(Path.GetFullPath(path)).AbsoluteUri;

    /// <summary>Flat YAML mapping: strings single-quoted, integers plain, null as null, an empty array as [].</summary>
    static string Yaml(IEnumerable<(string Key, object? Value)> fields)
    {
        var sb = new StringBuilder();
        foreach (var (key, value) in fields)
            sb.Append(key).Append(": ").Append(value switch
            {
                null => "null",
                string s => Quote(s),
                int i => i.ToString(CultureInfo.InvariantCulture),
                long l => l.ToString(CultureInfo.InvariantCulture),
                Array { Length: 0 } => "[]",
                _ => throw new ArgumentException($"unsupported YAML value {value.GetType()}"),
            }).Append('\n');
        return sb.ToString();
    }

    static string Quote(string s) => "'" + s.Replace("'", "''") + "'";

    /// <summary>Top-level scalars of a meta.yaml (null values as null); null when the file is missing or empty.</summary>
    static Dictionary<string, string?>? ReadYaml(string path)
    {
        if (!File.Exists(path)) return null;
        var stream = new YamlStream();
        using (var reader = new StreamReader(path)) stream.Load(reader);
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode map) return null;
        var result = new Dictionary<string, string?>();
        foreach (var (k, v) in map.Children)
            if (k is YamlScalarNode key && v is YamlScalarNode value)
                result[key.Value!] = value.Style == YamlDotNet.Core.ScalarStyle.Plain && value.Value is "null" or "~" or "" ? null : value.Value;
        return result;
    }

    static void WriteAtomic(string path, string text) => IO.AtomicFile.WriteAllText(path, text);

    IDisposable LockRoot()
    {
        string lockPath = Path.Combine(Root, ".stargan.lock");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try { return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (DateTime.UtcNow < deadline) { Thread.Sleep(20); }
        }
    }
}
