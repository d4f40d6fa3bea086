namespace StarGanLab.Sweeps;

/// <summary>Where a value of a sweep spec was written (1-based line and column), so that a bad axis value is
/// reported at its line even though it reaches the config loader as an override.</summary>
public sealed record SpecLocation(string File, int Line, int Column);

/// <summary>A config key and the values a sweep gives it, e.g. <c>loss.lambda_cyc: [0, 1]</c>. Values are the YAML
/// scalars as written; the config loader checks their type when the runs are expanded.</summary>
public sealed record SweepAxis(string Key, IReadOnlyList<string> Values)
{
    /// <summary>Where each value was written (parallel to <see cref="Values"/>); null for an axis built in code.</summary>
    public IReadOnlyList<SpecLocation>? Locations { get; init; }

    internal SpecLocation? LocationOf(int i) => Locations is { } l && i < l.Count ? l[i] : null;
}

/// <summary>Slurm settings of a sweep (the <c>slurm:</c> section); each becomes an #SBATCH line when set.</summary>
/// <param name="CpusPerTask">CPUs per array task; also the task's torch thread count.</param>
/// <param name="Time">Time limit per task ("HH:MM:SS", "D-HH:MM:SS"); empty: the partition's default.</param>
/// <param name="Mem">Memory per task ("4G"); empty: the partition's default.</param>
/// <param name="Partition">Partition; empty: the cluster's default.</param>
/// <param name="Parallel">Tasks running at once (the array's %P throttle); 0: no throttle. --parallel wins.</param>
/// <param name="Sbatch">Further sbatch options, one per #SBATCH line ("--account=lab", "--gres=gpu:1").</param>
/// <param name="Setup">Shell lines run before the task ("module load dotnet/10").</param>
public sealed record SlurmOptions(
    int CpusPerTask = 1,
    string Time = "",
    string Mem = "",
    string Partition = "",
    int Parallel = 0,
    IReadOnlyList<string>? Sbatch = null,
    IReadOnlyList<string>? Setup = null)
{
    public IReadOnlyList<string> Sbatch { get; init; } = Sbatch ?? [];
    public IReadOnlyList<string> Setup { get; init; } = Setup ?? [];
}

/// <summary>A sweep: a base config (or several, see <see cref="Bases"/>), overrides common to every run, grid axes
/// (every combination), one-at-a-time axes (each value alone off the base, plus the base once) and seeds. <see cref="SweepPlan.Expand"/> turns it
/// into runs. Read from YAML by <see cref="SweepSpecLoader"/>; F# scripts build or adjust one with the
/// <c>With*</c> methods (records of C# cannot be copied with F#'s <c>with</c>).</summary>
/// <param name="Name">Sweep name (the spec file's name by default); names the default root and the Slurm job.</param>
/// <param name="BaseConfig">The base experiment YAML, absolute; the first of <see cref="Bases"/>.</param>
/// <param name="Root">Folder of the sweep: its run directories, task records, logs and summary; relative paths are
/// relative to the current directory, as a config's run.root.</param>
/// <param name="Set">"key.path=value" overrides applied to every run (not part of run names).</param>
/// <param name="Grid">Axes whose cartesian product is swept.</param>
/// <param name="OneAtATime">Axes whose values are each tried alone against the base (for every grid point).</param>
/// <param name="Seeds">Training seeds; every variant runs once per seed. Empty: once, with the base config's seed.</param>
public sealed record SweepSpec(
    string Name,
    string BaseConfig,
    string Root,
    IReadOnlyList<string> Set,
    IReadOnlyList<SweepAxis> Grid,
    IReadOnlyList<SweepAxis> OneAtATime,
    IReadOnlyList<int> Seeds,
    SlurmOptions? Slurm = null)
{
    public SlurmOptions Slurm { get; init; } = Slurm ?? new();

    readonly IReadOnlyList<string>? bases;

    /// <summary>The base configs, absolute, the outermost axis of the sweep: every grid point, one-at-a-time value and
    /// seed runs on each of them (<c>base: [A.yaml, B.yaml]</c>, e.g. the Table 1 presets, which differ in several
    /// keys at once). Runs are named after each base's config name, so those must differ. Default: <see cref="BaseConfig"/> alone.</summary>
    public IReadOnlyList<string> Bases
    {
        get => bases ?? [BaseConfig];
        init => bases = value.Count == 0 ? null : value;
    }

    /// <summary>The spec file, absolute; null for a spec built in code.</summary>
    public string? SourceFile { get; init; }

    /// <summary>Where each entry of <see cref="Set"/> was written (parallel to it), when read from a file.</summary>
    public IReadOnlyList<SpecLocation>? SetLocations { get; init; }

    /// <summary>The spec with more common overrides after its own (later ones win).</summary>
    public SweepSpec WithSet(IEnumerable<string> overrides) =>
        this with { Set = [.. Set, .. overrides] };

    public SweepSpec WithRoot(string root) => this with { Root = root };

    /// <summary>The spec over these base configs (absolute or relative to the current directory), in this order.</summary>
    public SweepSpec WithBases(IEnumerable<string> configs)
    {
        string[] all = [.. configs.Select(Path.GetFullPath)];
        if (all.Length == 0) throw new ArgumentException("a sweep needs at least one base config", nameof(configs));
        return this with { BaseConfig = all[0], Bases = all };
    }

    public SweepSpec WithSeeds(IEnumerable<int> seeds) => this with { Seeds = [.. seeds] };

    /// <summary>The spec with more one-at-a-time axes after its own.</summary>
    public SweepSpec WithOneAtATime(IEnumerable<SweepAxis> axes) => this with { OneAtATime = [.. OneAtATime, .. axes] };

    public SweepSpec WithGrid(IEnumerable<SweepAxis> axes) => this with { Grid = [.. Grid, .. axes] };
}
