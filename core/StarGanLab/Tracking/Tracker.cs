namespace StarGanLab.Tracking;

/// <summary>Fans one run's tracking calls out to sinks and never throws into the training loop. A sink that fails
/// gets one warning; its calls are queued in memory (in order) and retried on the next call, and a second message
/// says when it recovered. The run's losses.jsonl (LossLogHook) is the copy of record whatever happens here.</summary>
public sealed class Tracker : IDisposable
{
    /// <summary>Queued calls per failing sink before the oldest metric calls are dropped (one warning).</summary>
    public const int MaxPending = 100_000;

    readonly List<SinkState> sinks;
    readonly Action<string> warn;

    public Tracker(IEnumerable<ITrackingSink> sinks, Action<string> warn)
    {
        this.sinks = sinks.Select(s => new SinkState(s)).ToList();
        this.warn = Security.SecretRedactor.Wrap(warn);
    }

    public IReadOnlyList<ITrackingSink> Sinks => sinks.Select(s => s.Sink).ToList();

    public void StartRun(string experiment, string runName, IReadOnlyList<(string Key, string Value)> parameters,
                         IReadOnlyList<(string Key, string Value)> tags)
    {
        // Config secrets already come as ${env:NAME} references (ConfigWriter.Flatten); this is the backstop for
        // anything else that holds a registered secret (tracking credentials, a secret inside a tag).
        static string R(string v) => Security.SecretRedactor.Redact(v);
        var p = parameters.Select(kv => (kv.Key, R(kv.Value))).ToList();
        var t = tags.Select(kv => (kv.Key, R(kv.Value))).ToList();
        string e = R(experiment), n = R(runName);
        Dispatch(s => s.StartRun(e, n, p, t), isMetrics: false);
    }

    public void LogMetrics(long step, IReadOnlyList<(string Key, double Value)> metrics)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();   // stamped now, not when a retry delivers it
        var m = metrics.ToList();
        Dispatch(s => s.LogMetrics(step, now, m), isMetrics: true);
    }

    public void LogArtifact(string localPath, string artifactPath) =>
        Dispatch(s => s.LogArtifact(localPath, artifactPath), isMetrics: false);

    public void EndRun(RunStatus status)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        Dispatch(s => s.EndRun(status, now), isMetrics: false);
    }

    /// <summary>Retries queued calls once more and waits up to <paramref name="timeout"/> per sink for background
    /// delivery; reports anything left over.</summary>
    public void Flush(TimeSpan timeout)
    {
        foreach (var s in sinks)
        {
            Drain(s);
            if (s.Pending.Count > 0)
                warn($"tracking: {s.Pending.Count} call(s) to {s.Sink.Describe} could not be made; losses.jsonl in the run directory has every metric");
            bool flushed;
            try { flushed = s.Sink.Flush(timeout); }
            catch (Exception e) { warn($"tracking: flushing {s.Sink.Describe} failed: {e.Message}"); continue; }
            if (!flushed)
                warn($"tracking: {s.Sink.Describe} has undelivered entries after {timeout.TotalSeconds:F0} s; they stay spooled in the run directory and are sent when the run is resumed");
        }
    }

    void Dispatch(Action<ITrackingSink> call, bool isMetrics)
    {
        foreach (var s in sinks)
        {
            s.Pending.Enqueue((call, isMetrics));
            if (s.Pending.Count > MaxPending) DropOldestMetrics(s);
            Drain(s);
        }
    }

    void Drain(SinkState s)
    {
        while (s.Pending.Count > 0)
        {
            var (call, _) = s.Pending.Peek();
            try
            {
                call(s.Sink);
            }
            catch (Exception e)
            {
                s.Failures++;
                if (!s.Failing)
                {
                    s.Failing = true;
                    warn($"tracking: {s.Sink.Describe} failed ({e.GetType().Name}: {e.Message}); training continues, calls are queued and retried quietly");
                }
                return;
            }
            s.Pending.Dequeue();
            if (s.Failing)
            {
                s.Failing = false;
                warn($"tracking: {s.Sink.Describe} works again after {s.Failures} failed attempt(s); queued calls delivered");
                s.Failures = 0;
            }
        }
    }

    void DropOldestMetrics(SinkState s)
    {
        var kept = new Queue<(Action<ITrackingSink>, bool)>();
        int dropped = 0;
        foreach (var item in s.Pending)
            if (item.IsMetrics && dropped < s.Pending.Count / 2) dropped++;
            else kept.Enqueue(item);
        s.Pending = kept;
        warn($"tracking: {s.Sink.Describe} has failed for a long time; dropped {dropped} queued metric call(s) (losses.jsonl keeps them)");
    }

    public void Dispose()
    {
        foreach (var s in sinks)
        {
            try { s.Sink.Dispose(); }
            catch (Exception e) { warn($"tracking: closing {s.Sink.Describe} failed: {e.Message}"); }
        }
    }

    sealed class SinkState(ITrackingSink sink)
    {
        public ITrackingSink Sink { get; } = sink;
        public Queue<(Action<ITrackingSink> Call, bool IsMetrics)> Pending { get; set; } = new();
        public bool Failing { get; set; }
        public int Failures { get; set; }
    }
}
