using System.Text.Json;

namespace StarGanLab.IO;

/// <summary>Who holds a <see cref="FileLock"/>, as its lock file records it.</summary>
public sealed record LockHolder(int Pid, string Host, DateTime Since)
{
    public override string ToString() => $"process {Pid} on {Host} (since {Since:u})";
}

/// <summary>An exclusive lock held through a file, which records the holder's PID and host. .NET takes
/// flock(LOCK_EX) for FileShare.None and the kernel drops it when the process dies, so a crashed holder never
/// leaves a stale lock: the file may stay behind, but only a live holder makes it locked. Used for run folders
/// (two trainings on one run) and sweep tasks (two runners on one run of a sweep).</summary>
public sealed class FileLock : IDisposable
{
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    readonly FileStream stream;

    public string Path { get; }

    FileLock(FileStream stream, string path) => (this.stream, Path) = (stream, path);

    /// <summary>The lock, or null when another process (or another holder in this one) has it.</summary>
    public static FileLock? TryAcquire(string path)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }
        var holder = new LockHolder(Environment.ProcessId, Environment.MachineName, DateTime.UtcNow);
        stream.SetLength(0);
        stream.Write(JsonSerializer.SerializeToUtf8Bytes(holder, Json));
        stream.Flush();
        return new FileLock(stream, path);
    }

    /// <summary>Whether some holder has the lock now (taken and released at once when free).</summary>
    public static bool IsHeld(string path)
    {
        if (!File.Exists(path)) return false;
        using var probe = TryAcquire(path);
        return probe is null;
    }

    /// <summary>The holder the lock file names, or null when it names none (being written, or not ours).</summary>
    public static LockHolder? Holder(string path)
    {
        try
        {
            return Native.UnlockedRead.Text(path) is { Length: > 0 } text ? JsonSerializer.Deserialize<LockHolder>(text, Json) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Releases the lock. The file stays: deleting it could race with a process that has just opened it, which
    /// would then hold a lock on a file nobody else can find.</summary>
    public void Dispose() => stream.Dispose();
}
