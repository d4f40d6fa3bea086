using System.Collections.Concurrent;
using StarGanLab.Tracking;

namespace StarGanLab.Tests.Tracking;

/// <summary>Messages a sink or tracker printed, collected thread-safely.</summary>
sealed class Messages
{
    readonly ConcurrentQueue<string> lines = new();
    public void Add(string m) => lines.Enqueue(m);
    public List<string> All => [.. lines];
    public int Count(string part) => lines.Count(l => l.Contains(part, StringComparison.Ordinal));
}

/// <summary>A sink that remembers every call (and can be told to fail).</summary>
sealed class RecordingSink : ITrackingSink
{
    public List<string> Calls { get; } = [];
    public (string Experiment, string RunName, List<(string Key, string Value)> Params, List<(string Key, string Value)> Tags)? Started;
    public List<(long Step, List<(string Key, double Value)> Metrics)> Metrics { get; } = [];
    public List<(string Path, string Folder)> Artifacts { get; } = [];
    public RunStatus? Ended;
    public bool Fail { get; set; }

    public string Describe => "recording sink";

    void Check(string call)
    {
        if (Fail) throw new IOException("disk full (simulated)");
        Calls.Add(call);
    }

    public void StartRun(string experiment, string runName, IReadOnlyList<(string Key, string Value)> parameters, IReadOnlyList<(string Key, string Value)> tags)
    {
        Check("start");
        Started = (experiment, runName, [.. parameters], [.. tags]);
    }

    public void LogMetrics(long step, long timestampMs, IReadOnlyList<(string Key, double Value)> metrics)
    {
        Check($"metrics {step}");
        Metrics.Add((step, [.. metrics]));
    }

    public void LogArtifact(string localPath, string artifactPath)
    {
        Check($"artifact {Path.GetFileName(localPath)}");
        Artifacts.Add((localPath, artifactPath));
    }

    public void EndRun(RunStatus status, long timestampMs)
    {
        Check($"end {status}");
        Ended = status;
    }

    public void Dispose() { }
}

static class TrackingTemp
{
    public static string Dir() => Directory.CreateTempSubdirectory("stargan-track").FullName;
}
