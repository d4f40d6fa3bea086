using System.Text;

namespace StarGanLab.Sweeps;

/// <summary>The sbatch script of a sweep: one array task per run. Each task runs `stargan sweep task SPEC --index
/// $SLURM_ARRAY_TASK_ID`, which starts its run, resumes it from the newest checkpoint, or skips it when finished, so a
/// requeued, preempted or re-submitted task continues where its run stopped.</summary>
public static class SlurmScript
{
    /// <param name="cli">How to run stargan here, absolute: ["/usr/bin/dotnet", "/abs/stargan.dll"] or ["/abs/stargan"].</param>
    /// <param name="workDirectory">Where the tasks run (relative paths of the spec, e.g. its root, resolve from here).</param>
    /// <param name="throttle">Tasks at once (the array's %P); 0 or at least the run count: no throttle.</param>
    public static string Render(SweepPlan plan, IReadOnlyList<string> cli, string workDirectory, int throttle)
    {
        var spec = plan.Spec;
        if (spec.SourceFile is null)
            throw new ArgumentException($"sweep {spec.Name} was built in code; Slurm tasks re-read their spec, so write it to a YAML file first");
        if (plan.Runs.Count == 0) throw new ArgumentException($"sweep {spec.Name} has no runs");
        if (throttle < 0) throw new ArgumentException($"the number of tasks at once must be at least 1, got {throttle}");
        var folder = plan.Folder;
        // sbatch reads #SBATCH lines itself, without a shell: a path with white space would be cut there.
        if (folder.SlurmLogs.Any(char.IsWhiteSpace))
            throw new ArgumentException($"the sweep folder {folder.Root} contains white space, which #SBATCH --output cannot hold; choose another root");

        int last = plan.Runs.Count - 1;
        var o = spec.Slurm;
        var s = new StringBuilder();
        s.Append("#!/bin/bash\n");
        s.Append($"# Sweep {spec.Name} ({spec.SourceFile}): {plan.Runs.Count} runs, one array task each, written by `stargan sweep --emit slurm`.\n");
        s.Append("# Each task starts its run, resumes it from its newest checkpoint, or skips it when finished: requeued or\n");
        s.Append("# re-submitted tasks continue. SIGTERM (scancel, time limit, preemption) makes a run checkpoint and exit 143.\n");
        s.Append($"# Watch with: stargan sweep status {spec.SourceFile}\n");
        s.Append($"#SBATCH --job-name=sweep-{spec.Name}\n");
        s.Append($"#SBATCH --array=0-{last}{(throttle > 0 && throttle <= last ? $"%{throttle}" : "")}\n");
        s.Append($"#SBATCH --cpus-per-task={o.CpusPerTask}\n");
        s.Append($"#SBATCH --output={folder.SlurmLogs}/%A_%a.out\n");
        s.Append($"#SBATCH --error={folder.SlurmLogs}/%A_%a.err\n");
        s.Append("#SBATCH --open-mode=append\n");
        s.Append("#SBATCH --requeue\n");
        if (o.Time.Length > 0) s.Append($"#SBATCH --time={o.Time}\n");
        if (o.Mem.Length > 0) s.Append($"#SBATCH --mem={o.Mem}\n");
        if (o.Partition.Length > 0) s.Append($"#SBATCH --partition={o.Partition}\n");
        foreach (var extra in o.Sbatch) s.Append($"#SBATCH {extra}\n");
        s.Append("set -euo pipefail\n");
        s.Append($"cd {Quote(Path.GetFullPath(workDirectory))}\n");
        foreach (var line in o.Setup) s.Append(line).Append('\n');
        // The expected names guard against a spec edited after submission: the task refuses a run whose name differs.
        s.Append("runs=(").Append(string.Join(" ", plan.Runs.Select(r => Quote(r.Name)))).Append(")\n");
        // exec: the CLI itself receives Slurm's signals (no shell in between to swallow them or leave children behind).
        s.Append("exec ").Append(string.Join(" ", cli.Select(Quote)))
         .Append($" sweep task {Quote(spec.SourceFile)} --index \"$SLURM_ARRAY_TASK_ID\" --expect \"${{runs[$SLURM_ARRAY_TASK_ID]}}\"")
         .Append(" --threads \"${SLURM_CPUS_PER_TASK:-1}\"\n");
        return s.ToString();
    }

    /// <summary>A single-quoted shell word (quotes inside closed, escaped and reopened).</summary>
    public static string Quote(string word) => "'" + word.Replace("'", "'\\''") + "'";
}
