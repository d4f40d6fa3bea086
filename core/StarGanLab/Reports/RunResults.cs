using StarGanLab.Config;
using StarGanLab.Runs;

namespace StarGanLab.Reports;

/// <summary>What a finished (or running) run directory holds, read for reports and notebooks: the resolved
/// config, losses.jsonl, metrics.jsonl when an evaluation wrote one, and the newest sample grids.</summary>
public sealed class RunResults
{
    /// <summary>Evaluation metrics, one JSON object per evaluation: {"step": N, "FID_latent/cat2dog": ..., ...}.</summary>
    public const string MetricsFileName = "metrics.jsonl";

    public required RunDirectory Run { get; init; }
    public required ExperimentConfig Config { get; init; }
    /// <summary>config.yaml exactly as the trainer wrote it.</summary>
    public required string ConfigYaml { get; init; }
    public required ScalarLog Losses { get; init; }
    public required ScalarLog Metrics { get; init; }
    /// <summary>The .png files of the highest sample step, ordered by name.</summary>
    public required IReadOnlyList<string> NewestSamples { get; init; }

    public string Name => Run.Name;

    /// <summary>The run's final results: the last evaluation's metrics and the last logged losses (one definition,
    /// used by reports, notebooks, the F# scripts and sweep summaries).</summary>
    public FinalResults Final => final ??= FinalResults.Of(Metrics, Losses);
    FinalResults? final;
    public long LastStep => Losses.Series.Count == 0 ? 0 : Losses.Series.Max(s => s.LastStep);

    public static RunResults Load(string runDirectory)
    {
        var run = RunDirectory.Open(Path.TrimEndingDirectorySeparator(Path.GetFullPath(runDirectory)));   // "runs/x/" is run x
        return new RunResults
        {
            Run = run,
            Config = ConfigLoader.Load(run.ConfigFile, options: new ConfigLoadOptions(Use: ConfigUse.Inference)),
            ConfigYaml = File.ReadAllText(run.ConfigFile),
            Losses = ScalarLog.Read(run.LossesFile),
            Metrics = ScalarLog.Read(Path.Combine(run.Path, MetricsFileName)),
            NewestSamples = RunDirectory.NewestSamples(run.SampleDir),
        };
    }

    /// <summary>Every run directly under <paramref name="root"/> (folders holding config.yaml), by name; the
    /// backups that --overwrite leaves (NAME.replaced-TIME) are not runs of their own and are left out.</summary>
    public static IReadOnlyList<RunResults> LoadAll(string root)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"run root {Path.GetFullPath(root)} does not exist");
        return Directory.GetDirectories(root)
            .Where(d => File.Exists(Path.Combine(d, RunDirectory.ConfigFileName)) && !Path.GetFileName(d).Contains(".replaced-", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(Load)
            .ToList();
    }

    /// <summary>Config keys whose values differ between <paramref name="runs"/> (what a sweep or ablation varied),
    /// in schema order; run.name and run.root always differ and are left out.</summary>
    public static IReadOnlyList<string> DifferingConfigKeys(IReadOnlyList<RunResults> runs)
    {
        if (runs.Count < 2) return [];
        var flat = runs.Select(r => ConfigWriter.Flatten(r.Config).ToDictionary(kv => kv.Key, kv => kv.Value)).ToList();
        return ConfigWriter.Flatten(runs[0].Config).Select(kv => kv.Key)
            .Where(k => k is not ("run.name" or "run.root") && flat.Select(f => f.GetValueOrDefault(k)).Distinct().Count() > 1)
            .ToList();
    }
}
