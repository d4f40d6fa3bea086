namespace StarGanLab.Runs;

/// <summary>One run's folder: resolved config, checkpoints, samples, losses. Never escapes its root and never
/// replaces an existing run unless asked (and then the old one is kept under a backup name, not deleted).</summary>
public sealed class RunDirectory
{
    public const string ConfigFileName = "config.yaml";
    /// <summary>Held (see <see cref="Lock"/>) by the one process that trains the run; records its PID and host.</summary>
    public const string LockFileName = "train.lock";

    public string Path { get; }
    public string Name => System.IO.Path.GetFileName(Path);
    public string ConfigFile => System.IO.Path.Combine(Path, ConfigFileName);
    public string CheckpointDir => System.IO.Path.Combine(Path, "checkpoints");
    public string SampleDir => System.IO.Path.Combine(Path, "samples");
    public string LossesFile => System.IO.Path.Combine(Path, "losses.jsonl");
    public string LockFile => System.IO.Path.Combine(Path, LockFileName);

    /// <summary>Where <see cref="Create"/> moved the run this one replaced (--overwrite), if it did.</summary>
    public string? ReplacedBackup { get; private init; }

    RunDirectory(string path) => Path = path;

    /// <summary>Creates root/name. An existing run folder is an error unless <paramref name="overwrite"/>, which
    /// renames it to name.replaced-&lt;utc time&gt; so nothing already written is lost.</summary>
    public static RunDirectory Create(string root, string name, bool overwrite, Action<string>? log = null)
    {
        Config.RunNames.Validate(name);
        string fullRoot = System.IO.Path.GetFullPath(root);
        string path = System.IO.Path.GetFullPath(System.IO.Path.Combine(fullRoot, name));
        if (!path.StartsWith(fullRoot.TrimEnd(System.IO.Path.DirectorySeparatorChar) + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
            throw new ArgumentException($"run name '{name}' would place the run outside the run root {fullRoot}");
        string? backup = null;
        if (Directory.Exists(path) && Directory.EnumerateFileSystemEntries(path).Any())
        {
            if (!overwrite)
                throw new IOException($"run directory {path} already exists; use --resume {path} to continue it or --overwrite to start over (the old run is kept as a backup)");
            // Moving the folder away under a live training would leave it writing into the backup.
            using (new RunDirectory(path).Lock()) { }
            backup = $"{path}.replaced-{DateTime.UtcNow:yyyyMMddTHHmmss}";
            Directory.Move(path, backup);
            log?.Invoke($"moved the existing run to {backup}");
        }
        Directory.CreateDirectory(path);
        return new RunDirectory(path) { ReplacedBackup = backup };
    }

    /// <summary>Undoes <see cref="Create"/> after a start that failed before training (missing data, a refused input):
    /// the folder goes, so the next try is not blocked, and a run it replaced comes back. A folder that holds a
    /// checkpoint is a run that can be resumed and is never removed.</summary>
    public void AbandonFailedStart(Action<string>? log = null)
    {
        if (Directory.Exists(CheckpointDir) && Directory.EnumerateFiles(CheckpointDir).Any())
            return;
        Directory.Delete(Path, recursive: true);
        if (ReplacedBackup is { } backup && Directory.Exists(backup))
        {
            Directory.Move(backup, Path);
            log?.Invoke($"the start failed: removed the new run folder and put back the run it replaced ({Path})");
        }
        else log?.Invoke($"the start failed: removed the new run folder {Path}");
    }

    /// <summary>An existing run (for resume, sampling, evaluation): must hold its resolved config.</summary>
    public static RunDirectory Open(string path)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(full))
            throw new DirectoryNotFoundException($"run directory {full} does not exist");
        if (!File.Exists(System.IO.Path.Combine(full, ConfigFileName)))
            throw new FileNotFoundException($"{full} is not a run directory: {ConfigFileName} is missing", System.IO.Path.Combine(full, ConfigFileName));
        return new RunDirectory(full);
    }

    /// <summary>The run's exclusive lock, held by whoever trains it until disposed: a second training of the same
    /// folder (another --resume, a sweep task, --overwrite) is an error naming the holder. The kernel drops the lock
    /// when its process dies, so a killed run can be resumed at once.</summary>
    public IO.FileLock Lock() => IO.FileLock.TryAcquire(LockFile)
        ?? throw new InvalidOperationException($"{Path} is being trained by {IO.FileLock.Holder(LockFile)?.ToString() ?? "another process"}, " +
                                               $"which holds {LockFile}; wait for it to end or stop it first");

    /// <summary>Writes text via a temporary file and rename, so a crash never leaves a torn file.</summary>
    public void WriteText(string relative, string text) => IO.AtomicFile.WriteAllText(System.IO.Path.Combine(Path, relative), text);

    /// <summary>The .png files that share the highest step prefix (NNNNNN_*.png as SampleHook names them).</summary>
    public static IReadOnlyList<string> NewestSamples(string sampleDir)
    {
        if (!Directory.Exists(sampleDir)) return [];
        var files = Directory.GetFiles(sampleDir, "*.png");
        var newest = files.Select(f => System.IO.Path.GetFileName(f).Split('_')[0]).Where(p => p.Length > 0 && p.All(char.IsAsciiDigit)).DefaultIfEmpty().Max();
        return newest == null ? [] : files.Where(f => System.IO.Path.GetFileName(f).StartsWith(newest + "_", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
    }
}
