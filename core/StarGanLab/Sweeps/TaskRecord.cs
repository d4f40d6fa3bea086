using System.Text.Json;
using System.Text.Json.Serialization;

namespace StarGanLab.Sweeps;

/// <summary>The last attempt at a run (ROOT/tasks/NAME.json), written atomically when a task starts and when it ends.
/// It is what tells a failed run from an interrupted one: the run folder alone cannot.</summary>
/// <param name="State">running | finished | failed | stopped (ended by a signal; resumable).</param>
/// <param name="ExitCode">The training's exit code once ended.</param>
/// <param name="SlurmTask">"JOB_INDEX" when run by a Slurm array task.</param>
public sealed record TaskRecord(
    string State,
    int? ExitCode,
    string Host,
    int Pid,
    DateTime Started,
    DateTime? Ended = null,
    string? SlurmTask = null)
{
    public const string Running = "running", Finished = "finished", Failed = "failed", Stopped = "stopped";

    static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    public void Write(string path) => IO.AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, Json) + "\n");

    /// <summary>The record in <paramref name="path"/>; null when there is none. A record that does not parse (written
    /// by something else) is an error naming the file.</summary>
    public static TaskRecord? Read(string path)
    {
        if (!File.Exists(path)) return null;
        try
        {
            return JsonSerializer.Deserialize<TaskRecord>(File.ReadAllText(path), Json)
                   ?? throw new InvalidDataException($"{path}: empty task record");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a sweep task record ({e.Message}); delete it to let the sweep retry the run", e);
        }
    }
}

/// <summary>An exclusive lock on one run (ROOT/tasks/NAME.lock) for as long as a task trains it, so two runners (two
/// `stargan sweep` on one machine, a local runner and a Slurm task on a shared file system with flock) never train
/// the same run at once. .NET takes flock(LOCK_EX) for FileShare.None; the kernel releases it when the process dies,
/// so a killed task never leaves a stale lock.</summary>
public sealed class TaskLock : IDisposable
{
    readonly FileStream stream;

    TaskLock(FileStream stream) => this.stream = stream;

    /// <summary>The lock, or null when another process holds it.</summary>
    public static TaskLock? TryAcquire(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            return new TaskLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }
    }

    /// <summary>Whether some process holds the lock now (taken and released at once when free).</summary>
    public static bool IsHeld(string path)
    {
        if (!File.Exists(path)) return false;
        using var probe = TryAcquire(path);
        return probe is null;
    }

    public void Dispose() => stream.Dispose();
}
