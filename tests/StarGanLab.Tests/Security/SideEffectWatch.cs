using Xunit;

namespace StarGanLab.Tests.Security;

/// <summary>Crafted-file tests run alone (not in parallel with tests that start git or dotnet), so that a child
/// process appearing while one of them runs can only have been started by the loader under test.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SecurityCollection
{
    public const string Name = "security: no parallel child processes";
}

/// <summary>
/// Evidence that loading a hostile file had no side effects: every file under a watched folder (path, size, write
/// time) and the set of this process's child processes are snapshotted before and compared after.
/// Children are read from /proc/self/task/*/children and, as a cross-check, from every /proc/*/status whose PPid is ours.
/// </summary>
internal sealed class SideEffectWatch
{
    readonly string folder;
    readonly Dictionary<string, (long, DateTime)> files;
    readonly HashSet<int> children;

    SideEffectWatch(string folder)
    {
        this.folder = folder;
        files = Files(folder);
        children = Children();
    }

    public static SideEffectWatch Start(string folder) => new(folder);

    /// <summary>Asserts that nothing under the folder was created, changed or removed and no child process appeared.</summary>
    public void AssertNoSideEffects()
    {
        var now = Files(folder);
        var added = now.Keys.Except(files.Keys).ToList();
        var removed = files.Keys.Except(now.Keys).ToList();
        var changed = now.Keys.Intersect(files.Keys).Where(k => now[k] != files[k]).ToList();
        Assert.True(added.Count == 0 && removed.Count == 0 && changed.Count == 0,
            $"files changed under {folder}: added [{string.Join(", ", added)}], removed [{string.Join(", ", removed)}], changed [{string.Join(", ", changed)}]");
        var started = Children().Except(children).ToList();
        Assert.True(started.Count == 0, $"child processes appeared: {string.Join(", ", started.Select(Describe))}");
    }

    static Dictionary<string, (long, DateTime)> Files(string folder) =>
        Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories)
            .ToDictionary(p => p, p => File.Exists(p) ? (new FileInfo(p).Length, File.GetLastWriteTimeUtc(p)) : (-1L, Directory.GetLastWriteTimeUtc(p)));

    internal static HashSet<int> Children()
    {
        var result = new HashSet<int>();
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            string f = Path.Combine(task, "children");
            if (!File.Exists(f)) continue;
            foreach (var pid in ReadOrEmpty(f).Split(' ', StringSplitOptions.RemoveEmptyEntries)) result.Add(int.Parse(pid));
        }
        string me = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
            foreach (var line in ReadOrEmpty(Path.Combine(dir, "status")).Split('\n'))
                if (line.StartsWith("PPid:", StringComparison.Ordinal) && line[5..].Trim() == me) result.Add(pid);
        }
        return result;
    }

    static string ReadOrEmpty(string f)
    {
        try { return File.ReadAllText(f); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return ""; }   // the process just exited
    }

    static string Describe(int pid) => $"{pid} ({ReadOrEmpty($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim()})";
}
