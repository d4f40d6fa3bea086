namespace StarGanLab.Sweeps;

/// <summary>The layout of a sweep's root folder. Run directories sit directly under it, so everything that reads
/// a folder of runs (RunResults.LoadAll, the compare notebook and script) reads a sweep as it is; the sweep's own
/// files are in sub-folders without a config.yaml, which such readers skip.</summary>
/// <remarks>
/// <code>
/// ROOT/NNNN-name/             one run directory per run (what stargan train writes)
/// ROOT/tasks/NNNN-name.json   the last attempt at the run: state, exit code, host, pid, times, Slurm task
/// ROOT/tasks/NNNN-name.lock   held (flock) while a task trains the run
/// ROOT/logs/NNNN-name.log     the local runner's child output, appended per attempt
/// ROOT/slurm/sweep.sbatch     the job-array script; slurm/jobs.txt the submitted job ids; slurm/logs/%A_%a.{out,err}
/// ROOT/summary.md, summary.csv (variants: mean and std over seeds), runs.csv (one row per run)
/// </code>
/// </remarks>
public sealed class SweepFolder(string root)
{
    public string Root { get; } = Path.GetFullPath(root);

    public string RunDirectory(string runName) => Path.Combine(Root, runName);
    public string TasksDirectory => Path.Combine(Root, "tasks");
    public string TaskFile(string runName) => Path.Combine(TasksDirectory, runName + ".json");
    public string LockFile(string runName) => Path.Combine(TasksDirectory, runName + ".lock");
    public string LogsDirectory => Path.Combine(Root, "logs");
    public string LogFile(string runName) => Path.Combine(LogsDirectory, runName + ".log");

    public string SlurmDirectory => Path.Combine(Root, "slurm");
    public string SlurmScript => Path.Combine(SlurmDirectory, "sweep.sbatch");
    public string SlurmJobs => Path.Combine(SlurmDirectory, "jobs.txt");
    public string SlurmLogs => Path.Combine(SlurmDirectory, "logs");

    public string SummaryMarkdown => Path.Combine(Root, "summary.md");
    public string SummaryCsv => Path.Combine(Root, "summary.csv");
    public string RunsCsv => Path.Combine(Root, "runs.csv");
}
