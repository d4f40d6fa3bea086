namespace StarGanLab.Tracking;

/// <summary>Tracks a run on an MLflow server over REST without ever making the training step wait for the network.
/// Each call is appended to a spool in the run directory first (<see cref="MlflowSpool"/>); a background task
/// delivers the spool in order, batching consecutive metric steps into log-batch requests, and records what was
/// delivered. While the server is down the spool grows and delivery resumes when it is back (one warning, one
/// recovery message). Refused credentials (401/403) give one warning and stop delivery; what is left is sent when
/// the run is resumed. Metric timestamps are fixed when the value is produced, so a request re-sent after a timeout
/// is an exact duplicate, which MLflow's SQL store ignores.</summary>
public sealed class MlflowRestSink : ITrackingSink
{
    readonly MlflowRestClient client;
    readonly MlflowSpool spool;
    readonly Action<string> warn;
    readonly MlflowRestOptions options;
    readonly string user;
    readonly CancellationTokenSource stop = new();
    readonly SemaphoreSlim work = new(0);
    readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> warned = new();
    CancellationTokenSource? pause;
    Task? drainer;
    volatile bool authFailed;
    volatile bool outage;

    public MlflowRestSink(MlflowRestClient client, string runDirectory, Action<string> warn, MlflowRestOptions? options = null, string? user = null)
    {
        this.client = client;
        this.warn = warn;
        this.options = options ?? new MlflowRestOptions();
        this.user = user ?? MlflowConventions.CurrentUser();
        spool = new MlflowSpool(runDirectory, client.TrackingUri.AbsoluteUri, warn);
    }

    public string Describe => $"MLflow server {client.TrackingUri}";
    public string SpoolPath => spool.SpoolPath;
    public int Undelivered => spool.PendingCount;
    public string? RunId => spool.State.RunId;
    public string? ExperimentId => spool.State.ExperimentId;

    public void StartRun(string experiment, string runName, IReadOnlyList<(string Key, string Value)> parameters,
                         IReadOnlyList<(string Key, string Value)> tags)
    {
        var allTags = MlflowConventions.SystemTags(runName, tags, user).Where(t => ValidKey(t.Key, "tag")).ToList();
        var valid = parameters.Where(p => ValidKey(p.Key, "param")).Select(p => ClipParam(p.Key, p.Value)).ToList();
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        bool seen = spool.History.Any(e => e.Op == SpoolOp.Start);
        if (seen)
        {
            // Resumed training run: same MLflow run; params are write-once, so only new keys are sent.
            var logged = spool.History.Where(e => e.Params != null).SelectMany(e => e.Params!).GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.First().Value);
            foreach (var (k, v) in valid)
                if (logged.TryGetValue(k, out var old) && old != v)
                    warn($"tracking: param {k} changed from '{old}' to '{v}' but MLflow params are write-once; the run keeps '{old}' (config.yaml has the new value)");
            valid = valid.Where(p => !logged.ContainsKey(p.Key)).ToList();
        }
        spool.Append(new SpoolEntry
        {
            Op = seen ? SpoolOp.Resume : SpoolOp.Start, Time = now, Experiment = experiment, RunName = runName,
            Params = valid.Select(p => new KeyValue(p.Key, p.Value)).ToList(),
            Tags = allTags.Select(t => new KeyValue(t.Key, t.Value)).ToList(),
        });
        Kick();
    }

    public void LogMetrics(long step, long timestampMs, IReadOnlyList<(string Key, double Value)> metrics)
    {
        var valid = metrics.Where(m => ValidKey(m.Key, "metric")).Select(m => new MetricValue(m.Key, m.Value)).ToList();
        if (valid.Count == 0) return;
        spool.Append(new SpoolEntry { Op = SpoolOp.Metrics, Time = timestampMs, Step = step, Metrics = valid });
        Kick();
    }

    public void LogArtifact(string localPath, string artifactPath)
    {
        spool.Append(new SpoolEntry { Op = SpoolOp.Artifact, Path = Path.GetFullPath(localPath), ArtifactPath = artifactPath });
        Kick();
    }

    public void EndRun(RunStatus status, long timestampMs)
    {
        spool.Append(new SpoolEntry { Op = SpoolOp.End, Time = timestampMs, Status = MlflowConventions.StatusName(status) });
        Kick();
    }

    /// <summary>Waits until the spool is delivered, the credentials were refused, or the timeout passes; a pending
    /// outage pause is cut short so the server gets one more try.</summary>
    public bool Flush(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        Kick();
        try { pause?.Cancel(); }
        catch (ObjectDisposedException) { /* the pause just ended by itself */ }
        while (spool.PendingCount > 0 && !authFailed && DateTime.UtcNow < deadline)
            Thread.Sleep(5);
        return spool.PendingCount == 0;
    }

    void Kick()
    {
        drainer ??= Task.Run(DrainLoop);
        work.Release();
    }

    async Task DrainLoop()
    {
        var delay = options.BaseDelay;
        while (!stop.IsCancellationRequested)
        {
            var batch = spool.Peek(MlflowConventions.MaxMetricsPerBatch);
            if (batch.Count == 0)
            {
                try { await work.WaitAsync(stop.Token); } catch (OperationCanceledException) { return; }
                continue;
            }
            try
            {
                await Deliver(batch, stop.Token);
                if (outage)
                {
                    outage = false;
                    warn($"tracking: {Describe} is reachable again; spooled entries are being delivered");
                }
                delay = options.BaseDelay;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (MlflowException e) when (e.Kind == MlflowFailure.Auth)
            {
                authFailed = true;
                warn($"tracking: {e.Message}. Nothing more is sent in this process; {spool.PendingCount} entries stay in {spool.SpoolPath} and are sent when the run is resumed with working credentials");
                return;
            }
            catch (MlflowException e) when (e.Kind == MlflowFailure.Rejected)
            {
                foreach (var entry in batch)
                    spool.Reject(entry, e.Message);
                if (warned.TryAdd("rejected:" + batch[0].Op + e.ErrorCode, true))
                    warn($"tracking: {e.Message}; the {batch[0].Op} entry is kept in {spool.RejectedPath} and delivery goes on");
            }
            catch (FileNotFoundException e)
            {
                spool.Reject(batch[0], e.Message);
                warn($"tracking: {e.Message}; not uploaded");
            }
            catch (Exception e) when (e is not (MlflowException or IOException))
            {
                // A malformed answer (not JSON, wrong field types): retrying would not help; keep the entry on record.
                foreach (var entry in batch)
                    spool.Reject(entry, e.Message);
                warn($"tracking: unexpected answer from {Describe} ({e.GetType().Name}: {e.Message}); the {batch[0].Op} entry is kept in {spool.RejectedPath}");
            }
            catch (Exception e)
            {
                if (!outage)
                {
                    outage = true;
                    warn($"tracking: {e.Message}; training goes on and entries are spooled in {spool.SpoolPath} until the server answers");
                }
                var p = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                pause = p;
                try { await Task.Delay(delay, p.Token); } catch (OperationCanceledException) { /* woken by Flush or Dispose */ }
                pause = null;
                p.Dispose();
                delay = TimeSpan.FromTicks(Math.Min(options.OutageDelay.Ticks, delay.Ticks * 2));
            }
        }
    }

    async Task Deliver(List<SpoolEntry> batch, CancellationToken ct)
    {
        var first = batch[0];
        var state = spool.State;
        switch (first.Op)
        {
            case SpoolOp.Start or SpoolOp.Resume when state.RunId == null:
            {
                string expId = await client.GetOrCreateExperiment(first.Experiment!, ct);
                var (runId, artifactUri) = await client.CreateRun(expId, first.RunName!, first.Time, Pairs(first.Tags), ct,
                    userId: first.Tags?.FirstOrDefault(t => t.Key == MlflowConventions.UserTag)?.Value);
                state = state with { ExperimentId = expId, RunId = runId, ArtifactUri = artifactUri };
                spool.SaveRun(state);
                await client.LogBatch(runId, [], Pairs(first.Params), [], ct);
                break;
            }
            case SpoolOp.Start:   // delivered before a crash that came before its mark: the run exists
                await client.LogBatch(state.RunId!, [], Pairs(first.Params), [], ct);
                break;
            case SpoolOp.Resume:
                // Caught up after an outage with this resumed run already ended again: the later end sets the status,
                // so MLflow never shows FINISHED, RUNNING, FINISHED.
                if (!spool.StatusChangesAfter(first.Seq)) await client.UpdateRun(state.RunId!, "RUNNING", null, ct);
                await client.LogBatch(state.RunId!, [], Pairs(first.Params), Pairs(first.Tags), ct);
                break;
            case SpoolOp.Metrics:
                var points = batch.SelectMany(e => e.Metrics!.Select(m => new MetricPoint(m.Key, m.Value, e.Time, e.Step))).ToList();
                await client.LogBatch(RequireRun(state), points, [], [], ct);
                break;
            case SpoolOp.Artifact:
                await client.UploadArtifact(state.ArtifactUri ?? "", first.Path!, first.ArtifactPath ?? "", ct);
                break;
            case SpoolOp.End:
                if (!spool.StatusChangesAfter(first.Seq)) await client.UpdateRun(RequireRun(state), first.Status!, first.Time, ct);
                break;
            default:
                throw new MlflowException(MlflowFailure.Rejected, $"unknown spool entry '{first.Op}'");
        }
        spool.MarkDelivered(batch[^1].Seq, state);
    }

    static string RequireRun(SpoolState s) =>
        s.RunId ?? throw new MlflowException(MlflowFailure.Rejected, "the spool has no run: its start entry is missing");

    static List<(string Key, string Value)> Pairs(List<KeyValue>? kv) => kv?.Select(p => (p.Key, p.Value)).ToList() ?? [];

    bool ValidKey(string key, string kind)
    {
        if (MlflowConventions.KeyProblem(key) is not { } problem) return true;
        if (warned.TryAdd(kind + ":" + key, true)) warn($"tracking: {kind} name '{key}' is not valid for MLflow ({problem}); not logged");
        return false;
    }

    (string Key, string Value) ClipParam(string key, string value)
    {
        if (value.Length <= MlflowConventions.MaxParamValueLength) return (key, value);
        warn($"tracking: param {key} is longer than {MlflowConventions.MaxParamValueLength} characters; truncated");
        return (key, MlflowConventions.Clip(value, MlflowConventions.MaxParamValueLength));
    }

    public void Dispose()
    {
        stop.Cancel();
        try { drainer?.Wait(TimeSpan.FromSeconds(5)); }
        catch (AggregateException e) when (e.InnerException is OperationCanceledException) { }
        spool.Dispose();
        client.Dispose();
        stop.Dispose();
        work.Dispose();
    }
}
