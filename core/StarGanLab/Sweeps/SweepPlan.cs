using StarGanLab.Config;

namespace StarGanLab.Sweeps;

/// <summary>One run of a sweep.</summary>
/// <param name="Index">Position in the plan: the Slurm array index and the name's prefix.</param>
/// <param name="Name">"0007-quickstart-lambda_cyc=0-seed1": the index, then RunNames.Derive over the axis and seed overrides.</param>
/// <param name="Variant">The name without index and seed ("quickstart-lambda_cyc=0"): runs that differ only in
/// the seed share it, and the summary averages over them.</param>
/// <param name="Seed">The swept seed; null when the spec has no seeds.</param>
/// <param name="AxisOverrides">The grid and one-at-a-time overrides of this run ("loss.lambda_cyc=0").</param>
/// <param name="Overrides">Everything given to the config loader after the base file: common, axis, seed, run.root, run.name.</param>
/// <param name="Config">The resolved config, validated.</param>
/// <param name="BaseConfig">The base experiment YAML the overrides apply to, absolute.</param>
public sealed record SweepRun(
    int Index,
    string Name,
    string Variant,
    int? Seed,
    IReadOnlyList<string> AxisOverrides,
    IReadOnlyList<string> Overrides,
    ExperimentConfig Config,
    string BaseConfig);

/// <summary>A spec expanded into its runs. The expansion is a pure function of the spec (and the base config), so a
/// run's name and folder are the same every time the sweep is run: that is what makes sweeps resumable.</summary>
public sealed class SweepPlan
{
    public SweepSpec Spec { get; }
    public SweepFolder Folder { get; }
    public IReadOnlyList<SweepRun> Runs { get; }

    SweepPlan(SweepSpec spec, SweepFolder folder, IReadOnlyList<SweepRun> runs) => (Spec, Folder, Runs) = (spec, folder, runs);

    public string RunDirectory(SweepRun run) => Folder.RunDirectory(run.Name);

    /// <summary>Runs in order: for each base config, for each grid point (cartesian product, first axis slowest), the base variant and then
    /// each one-at-a-time value alone, and for each of those every seed. Every run's config is loaded and validated
    /// now; all problems of all runs are reported together, each override's at its line in the spec. Two runs with
    /// the same resolved config are an error (a one-at-a-time value equal to the base's, say).</summary>
    public static SweepPlan Expand(SweepSpec spec, ConfigLoadOptions? options = null)
    {
        var folder = new SweepFolder(spec.Root);
        var locations = OverrideLocations(spec);
        options ??= new ConfigLoadOptions(AllowedRoot: ProjectRoot.Of(spec.SourceFile ?? spec.BaseConfig) ?? Path.GetDirectoryName(Path.GetFullPath(spec.BaseConfig)));

        var variants = (from point in Product(spec.Grid)
                        from alone in OneAtATime(spec.OneAtATime)
                        select point.Concat(alone).ToList()).ToList();
        int?[] seeds = spec.Seeds.Count == 0 ? [null] : [.. spec.Seeds.Select(s => (int?)s)];
        int count = spec.Bases.Count * variants.Count * seeds.Length;
        int width = Math.Max(4, count.ToString().Length);

        var problems = new List<ConfigProblem>();
        var runs = new List<SweepRun>();
        var seen = new Dictionary<string, string>();
        var variantBase = new Dictionary<string, string>();
        foreach (var baseConfig in spec.Bases)
            foreach (var axis in variants)
                foreach (var seed in seeds)
                {
                    var axisOverrides = axis.Select(a => a.Text).ToList();
                    var named = seed is { } s ? [.. axisOverrides, $"seed={s}"] : axisOverrides;
                    ExperimentConfig cfg;
                    try
                    {
                        cfg = ConfigLoader.Load(baseConfig, [.. spec.Set, .. named], options);
                    }
                    catch (ConfigException e)
                    {
                        problems.AddRange(e.Problems.Select(p => AtSpec(p, locations)));
                        continue;
                    }
                    var unnamed = cfg with { Run = cfg.Run with { Name = "" } };
                    string index = runs.Count.ToString().PadLeft(width, '0');
                    string name = $"{index}-{RunNames.Derive(unnamed, named)}";
                    string variant = RunNames.Derive(unnamed, axisOverrides);
                    if (variantBase.TryGetValue(variant, out var otherBase) && otherBase != baseConfig)
                    {
                        problems.Add(new ConfigProblem(spec.SourceFile ?? spec.Name, 0, 0, "base",
                            $"bases {otherBase} and {baseConfig} both have the config name '{cfg.Name}', and a sweep names its runs after it; give them different name: keys"));
                        continue;
                    }
                    variantBase[variant] = baseConfig;
                    string[] placement = [$"run.root={folder.Root}", $"run.name={name}"];
                    cfg = cfg with { Run = new RunConfig(folder.Root, name) };

                    string identity = string.Join("\n", ConfigWriter.Flatten(cfg).Where(kv => !kv.Key.StartsWith("run.", StringComparison.Ordinal)));
                    if (seen.TryGetValue(identity, out var twin))
                    {
                        var at = axis.Select(a => a.At).LastOrDefault(l => l is not null);
                        problems.Add(new ConfigProblem(at?.File ?? spec.SourceFile ?? spec.Name, at?.Line ?? 0, at?.Column ?? 0, axis.LastOrDefault()?.Key ?? "",
                            $"run {name} ({string.Join(", ", named.DefaultIfEmpty("the base"))}) resolves to the same config as run {twin}; " +
                            "a one-at-a-time value equal to the base's, or a duplicate axis?"));
                        continue;
                    }
                    seen[identity] = name;
                    runs.Add(new SweepRun(runs.Count, name, variant, seed, axisOverrides, [.. spec.Set, .. named, .. placement], cfg, Path.GetFullPath(baseConfig)));
                }
        if (problems.Count > 0) throw new ConfigException([.. problems.Distinct()]);
        return new SweepPlan(spec, folder, runs);
    }

    /// <summary>The run at <paramref name="index"/>, or an error naming the valid range.</summary>
    public SweepRun At(int index) =>
        index >= 0 && index < Runs.Count ? Runs[index]
            : throw new ArgumentException($"run index {index} is outside the sweep {Spec.Name}, which has runs 0..{Runs.Count - 1}");

    sealed record AxisValue(string Key, string Value, SpecLocation? At)
    {
        public string Text => $"{Key}={Value}";
    }

    static IEnumerable<List<AxisValue>> Product(IReadOnlyList<SweepAxis> axes)
    {
        IEnumerable<List<AxisValue>> points = [[]];
        foreach (var axis in axes)
        {
            var values = axis.Values.Select((v, i) => new AxisValue(axis.Key, v, axis.LocationOf(i))).ToList();
            points = points.SelectMany(p => values.Select(v => (List<AxisValue>)[.. p, v])).ToList();
        }
        return points;
    }

    static IEnumerable<List<AxisValue>> OneAtATime(IReadOnlyList<SweepAxis> axes)
    {
        yield return [];
        foreach (var axis in axes)
            for (int i = 0; i < axis.Values.Count; i++)
                yield return [new AxisValue(axis.Key, axis.Values[i], axis.LocationOf(i))];
    }

    /// <summary>Where each override the loader will see was written in the spec, by its "key=value" text.</summary>
    static Dictionary<string, SpecLocation> OverrideLocations(SweepSpec spec)
    {
        var at = new Dictionary<string, SpecLocation>();
        for (int i = 0; i < spec.Set.Count; i++)
            if (spec.SetLocations is { } l && i < l.Count) at.TryAdd(spec.Set[i], l[i]);
        foreach (var axis in spec.Grid.Concat(spec.OneAtATime))
            for (int i = 0; i < axis.Values.Count; i++)
                if (axis.LocationOf(i) is { } loc) at.TryAdd($"{axis.Key}={axis.Values[i]}", loc);
        return at;
    }

    /// <summary>A loader problem about an override ("--set key=value") moved to the spec line that wrote it.</summary>
    static ConfigProblem AtSpec(ConfigProblem p, Dictionary<string, SpecLocation> locations)
    {
        const string prefix = "--set ";
        if (!p.File.StartsWith(prefix, StringComparison.Ordinal)) return p;
        string text = p.File[prefix.Length..];
        return locations.TryGetValue(text, out var at) ? p with { File = at.File, Line = at.Line, Column = at.Column } : p;
    }
}
