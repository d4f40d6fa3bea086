using System.Diagnostics;

namespace StarGanLab.Sweeps;

/// <summary>Talks to Slurm through its commands (sbatch, squeue) and remembers which jobs a sweep submitted
/// (ROOT/slurm/jobs.txt, one "JOB_ID  UTC-time  script" line per submission; the last is the current one).</summary>
public static class SlurmJobs
{
    /// <summary>Whether <paramref name="tool"/> is an executable file in a folder of PATH.</summary>
    public static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(d => File.Exists(Path.Combine(d, tool)));

    /// <summary>Submits <paramref name="script"/> with sbatch, records the job id in the sweep folder and returns it.</summary>
    public static string Submit(SweepFolder folder, string script)
    {
        if (!OnPath("sbatch"))
            throw new InvalidOperationException($"sbatch is not on PATH, so the sweep cannot be submitted from here; the script is {script}: " +
                                                "copy the repository to the cluster and submit there with `sbatch` (or `stargan sweep SPEC --submit`)");
        var (exit, stdout, stderr) = Exec("sbatch", "--parsable", script);
        if (exit != 0) throw new InvalidOperationException($"sbatch {script} failed (exit code {exit}): {stderr.Trim()}");
        // --parsable prints "JOBID" or "JOBID;CLUSTER"
        string jobId = stdout.Trim().Split(';')[0];
        if (jobId.Length == 0 || !jobId.All(char.IsAsciiDigit))
            throw new InvalidOperationException($"sbatch {script} printed '{stdout.Trim()}', not a job id");
        var lines = File.Exists(folder.SlurmJobs) ? File.ReadAllLines(folder.SlurmJobs).ToList() : [];
        lines.Add($"{jobId}\t{DateTime.UtcNow:u}\t{script}");
        IO.AtomicFile.WriteAllText(folder.SlurmJobs, string.Join("\n", lines) + "\n");
        return jobId;
    }

    /// <summary>The job id of the newest submission of this sweep; null if it was never submitted.</summary>
    public static string? LatestJob(SweepFolder folder) =>
        File.Exists(folder.SlurmJobs)
            ? File.ReadLines(folder.SlurmJobs).Where(l => l.Trim().Length > 0).Select(l => l.Split('\t')[0].Trim()).LastOrDefault()
            : null;

    /// <summary>The job's array tasks as squeue knows them (finished ones until Slurm's MinJobAge purges them);
    /// null when squeue is not on PATH or fails (e.g. Slurm's controller is down).</summary>
    public static IReadOnlyDictionary<int, SlurmTaskState>? Query(string jobId)
    {
        if (!OnPath("squeue")) return null;
        var (exit, stdout, _) = Exec("squeue", "-h", "-r", "-j", jobId, "--states=all", "-o", SqueueParser.Format);
        // A job purged from the controller's memory is an error ("Invalid job id specified"): nothing is queued.
        return exit == 0 ? SqueueParser.Parse(stdout, jobId) : new Dictionary<int, SlurmTaskState>();
    }

    static (int Exit, string Stdout, string Stderr) Exec(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {tool}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill();
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} did not answer within 60 s");
        }
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
