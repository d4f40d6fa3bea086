using System.ComponentModel;
using System.Diagnostics;
using StarGanLab.Config;
using StarGanLab.Runs;
using StarGanLab.Training;
using StarGanLab.Experiments.Hooks;
using StarGanLab.Tracking;

namespace StarGanLab.Experiments.Hooks;

/// <summary>Reports a training run to a <see cref="Tracker"/>: at the start the flattened config as params and
/// tags (git commit, host, source, preset, run directory); every <paramref name="every"/> steps and at the last
/// step the official loss terms plus s_per_iter and data_wait_s_per_iter; at the end config.yaml, the newest
/// sample images and losses.jsonl as artifacts and the outcome (FAILED after an error, KILLED when stopped
/// early, FINISHED otherwise). Register it after LossLogHook and SampleHook so their files are complete.</summary>
/// <param name="experiment">Experiment name; null uses the config's name.</param>
/// <param name="source">What was run, e.g. "stargan train configs/quickstart.yaml".</param>
/// <param name="gitDirectory">Where to ask git for the commit; null uses the current directory.</param>
/// <param name="flushTimeout">How long the end of training waits for background delivery (default 15 s).</param>
public sealed class TrackingHook(Tracker tracker, int every, string? experiment = null, string source = "stargan train",
                                 string? gitDirectory = null, TimeSpan? flushTimeout = null) : ITrainHook
{
    public const string SecondsPerIter = "s_per_iter";
    public const string DataWaitPerIter = "data_wait_s_per_iter";

    public void BeforeTrain(TrainContext c)
    {
        var tags = new List<(string, string)>
        {
            (TrackingTags.Host, Environment.MachineName),
            (TrackingTags.Source, source),
            (TrackingTags.RunDirectory, c.Run.Path),
        };
        if (c.Config.Preset.Length > 0) tags.Add((TrackingTags.Preset, c.Config.Preset));
        if (GitCommit(gitDirectory ?? Environment.CurrentDirectory) is { } commit) tags.Add((TrackingTags.GitCommit, commit));
        if (c.Step > 0) tags.Add((TrackingTags.ResumedFrom, c.Step.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        tracker.StartRun(experiment ?? c.Config.Name, c.Run.Name, ConfigWriter.Flatten(c.Config), tags);
    }

    public void AfterStep(TrainContext c, StepLosses losses)
    {
        if (c.Step % every != 0 && c.Step != c.TotalIters) return;
        tracker.LogMetrics(c.Step, Metrics(losses, c.SecondsPerIter, c.DataWaitPerIter));
    }

    public void AfterTrain(TrainContext c)
    {
        foreach (var (path, folder) in Artifacts(c.Run)) tracker.LogArtifact(path, folder);
        tracker.EndRun(StatusOf(c.Failed, c.Step, c.TotalIters));
        tracker.Flush(flushTimeout ?? TimeSpan.FromSeconds(15));
    }

    /// <summary>The step's metrics: the official log line's terms, then the timing.</summary>
    public static List<(string Key, double Value)> Metrics(StepLosses losses, double secondsPerIter, double dataWaitPerIter) =>
        [.. losses.Flatten(), (SecondsPerIter, secondsPerIter), (DataWaitPerIter, dataWaitPerIter)];

    public static RunStatus StatusOf(bool failed, long step, long totalIters) =>
        failed ? RunStatus.Failed : step < totalIters ? RunStatus.Killed : RunStatus.Finished;

    /// <summary>(file, artifact folder) pairs: config.yaml and losses.jsonl at the top, the images of the newest
    /// sample step under samples/. Files that do not exist are left out.</summary>
    public static List<(string Path, string Folder)> Artifacts(RunDirectory run)
    {
        var result = new List<(string, string)>();
        if (File.Exists(run.ConfigFile)) result.Add((run.ConfigFile, ""));
        result.AddRange(RunDirectory.NewestSamples(run.SampleDir).Select(p => (p, "samples")));
        if (File.Exists(run.LossesFile)) result.Add((run.LossesFile, ""));
        return result;
    }

    /// <summary>HEAD of the git repository containing <paramref name="directory"/>, or null (no git, not a repository).</summary>
    public static string? GitCommit(string directory)
    {
        if (!Directory.Exists(directory)) return null;
        var psi = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            ArgumentList = { "rev-parse", "HEAD" },
        };
        try
        {
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEndAsync();
            _ = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(5000)) { p.Kill(); return null; }
            string commit = output.Result.Trim();
            return p.ExitCode == 0 && commit.Length == 40 && commit.All(char.IsAsciiHexDigit) ? commit : null;
        }
        catch (Win32Exception)   // git is not installed
        {
            return null;
        }
    }
}
