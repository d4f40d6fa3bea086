using System.Text.Json;
using System.Text.Json.Serialization;

namespace StarGanLab.Tracking;

/// <summary>One tracking call waiting for the server, as a line of the spool (JSON lines, append-only).</summary>
sealed record SpoolEntry
{
    public long Seq { get; init; }
    public required string Op { get; init; }
    public long Time { get; init; }
    public string? Experiment { get; init; }
    public string? RunName { get; init; }
    public List<KeyValue>? Params { get; init; }
    public List<KeyValue>? Tags { get; init; }
    public long Step { get; init; }
    public List<MetricValue>? Metrics { get; init; }
    public string? Path { get; init; }
    public string? ArtifactPath { get; init; }
    public string? Status { get; init; }
}

/// <summary>The kinds of spool entry.</summary>
static class SpoolOp
{
    public const string Start = "start", Resume = "resume", Metrics = "metrics", Artifact = "artifact", End = "end";
}

sealed record KeyValue(string Key, string Value);
sealed record MetricValue(string Key, double Value);

/// <summary>Where delivery stands: the server's run and the last spool entry it has acknowledged.</summary>
sealed record SpoolState
{
    public required string TrackingUri { get; init; }
    public string? ExperimentId { get; init; }
    public string? RunId { get; init; }
    public string? ArtifactUri { get; init; }
    public long Delivered { get; init; }
}

/// <summary>The REST sink's durable queue in the run directory: tracking/mlflow-spool.jsonl holds every call in order
/// (written and flushed before any attempt to send it), tracking/mlflow-state.json the run id and the sequence number
/// of the last delivered entry (replaced atomically after each delivery). Nothing here holds credentials.</summary>
sealed class MlflowSpool : IDisposable
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    readonly StreamWriter writer;
    readonly object gate = new();
    readonly List<SpoolEntry> pending = [];
    long nextSeq;

    public string SpoolPath { get; }
    public string StatePath { get; }
    public string RejectedPath { get; }
    /// <summary>Every entry ever written, delivered or not (for resume: which params were logged).</summary>
    public IReadOnlyList<SpoolEntry> History { get; }
    public SpoolState State { get; private set; }

    /// <summary>Opens (or creates) the spool of a run directory for <paramref name="trackingUri"/>. A spool that
    /// was written for another server is moved aside (…old-&lt;time&gt;) and a fresh one begun.</summary>
    public MlflowSpool(string runDirectory, string trackingUri, Action<string> warn)
    {
        string dir = System.IO.Path.Combine(runDirectory, "tracking");
        Directory.CreateDirectory(dir);
        SpoolPath = System.IO.Path.Combine(dir, "mlflow-spool.jsonl");
        StatePath = System.IO.Path.Combine(dir, "mlflow-state.json");
        RejectedPath = System.IO.Path.Combine(dir, "mlflow-rejected.jsonl");

        State = File.Exists(StatePath) ? JsonSerializer.Deserialize<SpoolState>(File.ReadAllText(StatePath), Json)! : new SpoolState { TrackingUri = trackingUri };
        if (State.TrackingUri != trackingUri)
        {
            string suffix = $".old-{DateTime.UtcNow:yyyyMMddTHHmmss}";
            warn($"tracking: {dir} was tracked to {State.TrackingUri}, now {trackingUri}; the old spool is kept as *{suffix} and the run starts fresh on the new server");
            foreach (var f in new[] { SpoolPath, StatePath }) if (File.Exists(f)) File.Move(f, f + suffix);
            State = new SpoolState { TrackingUri = trackingUri };
        }

        var history = new List<SpoolEntry>();
        if (File.Exists(SpoolPath))
            foreach (var line in File.ReadLines(SpoolPath))
            {
                if (line.Length == 0) continue;
                SpoolEntry? e;
                try { e = JsonSerializer.Deserialize<SpoolEntry>(line, Json); }
                catch (JsonException) { warn($"tracking: skipped a torn line in {SpoolPath} (the process died while writing it)"); continue; }
                if (e == null) continue;
                history.Add(e);
                if (e.Seq > State.Delivered) pending.Add(e);
            }
        History = history;
        nextSeq = Math.Max(history.Count == 0 ? 1 : history[^1].Seq + 1, State.Delivered + 1);   // never reuse a delivered number
        writer = new StreamWriter(new FileStream(SpoolPath, FileMode.Append, FileAccess.Write, FileShare.Read)) { NewLine = "\n" };
        if (File.Exists(StatePath) == false) SaveState(State);
    }

    public int PendingCount { get { lock (gate) return pending.Count; } }

    /// <summary>Numbers the entry, writes and flushes its line, then queues it for delivery.</summary>
    public SpoolEntry Append(SpoolEntry entry)
    {
        lock (gate)
        {
            entry = entry with { Seq = nextSeq++ };
            writer.WriteLine(JsonSerializer.Serialize(entry, Json));
            writer.Flush();
            pending.Add(entry);
            return entry;
        }
    }

    /// <summary>The oldest undelivered entries: one entry, or a run of consecutive metric entries holding at most
    /// <paramref name="maxMetrics"/> values (they go out as one log-batch).</summary>
    public List<SpoolEntry> Peek(int maxMetrics)
    {
        lock (gate)
        {
            var result = new List<SpoolEntry>();
            if (pending.Count == 0) return result;
            result.Add(pending[0]);
            if (pending[0].Op != SpoolOp.Metrics) return result;
            int count = pending[0].Metrics!.Count;
            for (int i = 1; i < pending.Count && pending[i].Op == SpoolOp.Metrics && count + pending[i].Metrics!.Count <= maxMetrics; i++)
            {
                result.Add(pending[i]);
                count += pending[i].Metrics!.Count;
            }
            return result;
        }
    }

    /// <summary>Whether an undelivered entry after <paramref name="seq"/> sets the run's status (a resume or an end):
    /// an earlier status change that a later one supersedes is then not sent, so the status MLflow shows only moves forward.</summary>
    public bool StatusChangesAfter(long seq)
    {
        lock (gate) return pending.Any(e => e.Seq > seq && e.Op is SpoolOp.Resume or SpoolOp.End);
    }

    /// <summary>Marks entries up to <paramref name="seq"/> delivered, durably, and drops them from the queue.</summary>
    public void MarkDelivered(long seq, SpoolState? state = null)
    {
        lock (gate)
        {
            SaveState((state ?? State) with { Delivered = seq });
            pending.RemoveAll(e => e.Seq <= seq);
        }
    }

    /// <summary>Records run ids without moving the delivery mark (so a crash right after runs/create does not create a second run).</summary>
    public void SaveRun(SpoolState state)
    {
        lock (gate) SaveState(state with { Delivered = State.Delivered });
    }

    /// <summary>Moves an entry the server refused for good to mlflow-rejected.jsonl and past the delivery mark.</summary>
    public void Reject(SpoolEntry entry, string reason)
    {
        lock (gate)
        {
            File.AppendAllText(RejectedPath, JsonSerializer.Serialize(new { reason, entry }, Json) + "\n");
            SaveState(State with { Delivered = entry.Seq });
            pending.RemoveAll(e => e.Seq <= entry.Seq);
        }
    }

    void SaveState(SpoolState state)
    {
        IO.AtomicFile.WriteAllText(StatePath, JsonSerializer.Serialize(state, Json));
        State = state;
    }

    public void Dispose()
    {
        lock (gate) writer.Dispose();
    }
}
