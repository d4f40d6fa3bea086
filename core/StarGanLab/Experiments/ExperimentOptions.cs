using StarGanLab.Experiments.Hooks;

namespace StarGanLab.Experiments;

/// <summary>How <see cref="Experiment"/> runs a config: everything here is about the caller (console, signals,
/// provenance), never about the math, which the config alone decides.</summary>
public sealed record ExperimentOptions
{
    /// <summary>The <c>--set</c> overrides the config was loaded with: they name the run when run.name is empty, and on
    /// resume they are applied to the run's own config (e.g. a longer train.total_iters).</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];
    /// <summary>Start over in an existing run directory (the old one is kept as a backup).</summary>
    public bool Overwrite { get; init; }
    /// <summary>Progress and warnings, one line each; secrets are redacted before a line gets here.</summary>
    public Action<string> Log { get; init; } = Console.WriteLine;
    /// <summary>Signalled to stop after the current step; its checkpoint and the end-of-run hooks still run.</summary>
    public CancellationToken Stop { get; init; }
    /// <summary>Hooks of the caller (a progress display), run after the lab's own.</summary>
    public IReadOnlyList<ITrainHook> Hooks { get; init; } = [];
    /// <summary>What was run, for the tracker's source tag, e.g. "stargan train configs/quickstart.yaml"; null: the
    /// command line a config path and its overrides stand for, else the library's entry point.</summary>
    public string? Source { get; init; }
    /// <summary>Where to ask git for the commit the run is tagged with; null: the current directory.</summary>
    public string? GitDirectory { get; init; }
    /// <summary>The tracking experiment's name; null: MLFLOW_EXPERIMENT_NAME, else the config's name.</summary>
    public string? TrackingExperiment { get; init; }
    /// <summary>Where the MLFLOW_* settings are read (tracking server or file store, credentials, experiment name):
    /// the process environment unless a caller (a test, a notebook) gives its own.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;
}

/// <summary>Where a run ended: its folder, the step reached and whether it was stopped before train.total_iters.</summary>
public sealed record ExperimentResult(string RunDirectory, long Step, long TotalIters)
{
    public bool Finished => Step >= TotalIters;
}
