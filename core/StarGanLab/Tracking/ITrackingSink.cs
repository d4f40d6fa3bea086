namespace StarGanLab.Tracking;

/// <summary>How a run ended.</summary>
public enum RunStatus { Finished, Failed, Killed }

/// <summary>A destination for one run's parameters, tags, metrics and files (an MLflow store, a server, ...).
/// Calls come from the training thread in this order: StartRun once, LogMetrics / LogArtifact any number of
/// times, EndRun once. A sink may throw (the <see cref="Tracker"/> catches, warns once and retries); it must not
/// block the caller on the network. Keys are '/'-separated names such as "D/latent_real".</summary>
public interface ITrackingSink : IDisposable
{
    /// <summary>Human-readable destination for messages (never contains credentials).</summary>
    string Describe { get; }

    /// <summary>Opens the run (or reopens it when the run directory was tracked before, i.e. on resume).
    /// Tags use the neutral names in <see cref="TrackingTags"/> or free names; a sink maps them to its own.</summary>
    void StartRun(string experiment, string runName, IReadOnlyList<(string Key, string Value)> parameters,
                  IReadOnlyList<(string Key, string Value)> tags);

    /// <summary>Values of one training step, all stamped with <paramref name="timestampMs"/> (Unix ms).</summary>
    void LogMetrics(long step, long timestampMs, IReadOnlyList<(string Key, double Value)> metrics);

    /// <summary>Copies a local file into the run's artifacts under the folder <paramref name="artifactPath"/>
    /// ("" for the top level), keeping its file name.</summary>
    void LogArtifact(string localPath, string artifactPath);

    void EndRun(RunStatus status, long timestampMs);

    /// <summary>Waits up to <paramref name="timeout"/> for anything still queued to reach its destination;
    /// false when something is left (it stays on disk for the next attempt).</summary>
    bool Flush(TimeSpan timeout) => true;
}

/// <summary>Neutral tag names the trainer reports; MLflow sinks map them to MLflow's system tags.</summary>
public static class TrackingTags
{
    /// <summary>Commit of the code that trained (mlflow.source.git.commit).</summary>
    public const string GitCommit = "git_commit";
    /// <summary>What was run, e.g. "stargan train configs/quickstart.yaml" (mlflow.source.name).</summary>
    public const string Source = "source";
    /// <summary>Machine name.</summary>
    public const string Host = "host";
    /// <summary>The config's preset label.</summary>
    public const string Preset = "preset";
    /// <summary>Absolute path of the run directory (config, checkpoints, samples).</summary>
    public const string RunDirectory = "run_dir";
    /// <summary>Step a resumed run continued from.</summary>
    public const string ResumedFrom = "resumed_from_step";
}
