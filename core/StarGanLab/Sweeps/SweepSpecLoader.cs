using System.Globalization;
using StarGanLab.Config;

namespace StarGanLab.Sweeps;

/// <summary>Reads a sweep spec (YAML) with the config loader's reader and its standards: every problem at once,
/// each with file, line, key path and what was expected, "did you mean" for misspelt keys. The spec's own shape is
/// checked here; its overrides are checked against the config schema when the runs are expanded
/// (<see cref="SweepPlan.Expand"/>), and reported at their lines in the spec.</summary>
/// <remarks>
/// <code>
/// name: ablation                  # default: the file name; names the default root and the Slurm job
/// base: ../quickstart.yaml        # the base config, relative to this file (required); a list sweeps over several
///                                 #   ([../ablations/A.yaml, ../ablations/B.yaml]), runs named after each one's name:
/// root: runs/sweeps/ablation      # default runs/sweeps/NAME, relative to the current directory
/// set: {train.total_iters: 500}   # common overrides, not part of run names (nested mappings also work)
/// grid: {optim.lr: [1e-4, 5e-4]}  # every combination
/// one_at_a_time:                  # each value alone off the base, plus the base once (per grid point)
///   loss.lambda_cyc: [0]
/// seeds: [1, 2, 3]                # every variant once per seed; default: once with the base's seed
/// slurm: {cpus_per_task: 2, time: "04:00:00", mem: 8G, partition: cpu, parallel: 8, sbatch: [--account=lab], setup: [module load dotnet]}
/// </code>
/// </remarks>
public static class SweepSpecLoader
{
    static readonly string[] TopKeys = ["name", "base", "root", "set", "grid", "one_at_a_time", "seeds", "slurm"];
    static readonly string[] SlurmKeys = ["cpus_per_task", "time", "mem", "partition", "parallel", "sbatch", "setup"];

    public static SweepSpec Load(string path, ConfigLoadOptions? options = null)
    {
        options ??= new();
        var info = new FileInfo(path);
        if (!info.Exists) throw new ConfigException([new ConfigProblem(path, 0, 0, "", "sweep spec not found")]);
        if (info.Length > options.MaxFileBytes)
            throw new ConfigException([new ConfigProblem(path, 0, 0, "", $"file is {info.Length} bytes, larger than the {options.MaxFileBytes}-byte limit for config files")]);
        return Parse(File.ReadAllText(path), path, options);
    }

    /// <summary>As <see cref="Load"/>, from text; <paramref name="fileName"/> names it in messages and anchors the
    /// relative <c>base:</c> path.</summary>
    public static SweepSpec Parse(string yamlText, string fileName, ConfigLoadOptions? options = null)
    {
        options ??= new();
        var problems = new List<ConfigProblem>();
        var map = YamlReader.Read(yamlText, fileName, options, problems);
        var reader = new SpecReader(fileName, problems);

        foreach (var e in map.Entries.Where(e => !TopKeys.Contains(e.Key)))
            reader.Problem(e.KeyLocation, e.Key, SpecReader.UnknownKey(e.Key, TopKeys, "at the top level of a sweep spec"));

        string fullPath = Path.GetFullPath(fileName);
        string name = reader.String(map, "name") ?? Path.GetFileNameWithoutExtension(fileName);
        if (!RunNames.TryValidate(name, out var why))
            reader.Problem(map.Find("name")?.Value.Location ?? default, "name", $"'{name}' {why}; the name becomes a folder and a job name");

        var bases = reader.Bases(map, Path.GetDirectoryName(fullPath)!);
        string root = reader.String(map, "root") ?? Path.Combine("runs", "sweeps", name);
        if (root.Length == 0) reader.Problem(map.Find("root")!.Value.Location, "root", "expected a folder for the sweep's runs, got an empty string");

        var set = reader.Leaves(map, "set");
        var grid = reader.Axes(map, "grid");
        var oneAtATime = reader.Axes(map, "one_at_a_time");
        var seeds = reader.Seeds(map);
        var slurm = reader.Slurm(map);

        foreach (var axis in oneAtATime.Where(a => grid.Any(g => g.Key == a.Key)))
            reader.Problem(At(axis.LocationOf(0)), "one_at_a_time." + axis.Key, "is also a grid axis; give a key in one of them only");
        var keys = set.Select(s => (Section: "set", s.Key, s.At))
            .Concat(grid.Select(a => (Section: "grid", a.Key, At: At(a.LocationOf(0)))))
            .Concat(oneAtATime.Select(a => (Section: "one_at_a_time", a.Key, At: At(a.LocationOf(0)))));
        foreach (var (section, key, at) in keys)
        {
            if (key.StartsWith("run.", StringComparison.Ordinal))
                reader.Problem(at, $"{section}.{key}", "the sweep names its runs and places them under its root; set root: instead");
            else if (key == "seed" && seeds.Count > 0 && section != "set")
                reader.Problem(at, $"{section}.{key}", "seeds are swept by seeds:; give them there");
        }
        if (problems.Count > 0) throw new ConfigException(problems);

        return new SweepSpec(name, bases[0], root,
            [.. set.Select(s => $"{s.Key}={s.Value}")],
            grid, oneAtATime, seeds, slurm)
        {
            Bases = bases,
            SourceFile = fullPath,
            SetLocations = [.. set.Select(s => ToSpec(s.At))],
        };
    }

    internal static SpecLocation ToSpec(SourceLocation at) => new(at.File, at.Line, at.Column);

    static SourceLocation At(SpecLocation? at) => at is null ? default : new SourceLocation(at.File, at.Line, at.Column);

    /// <summary>Reads typed values out of the spec's YAML tree, recording problems instead of throwing.</summary>
    sealed class SpecReader(string file, List<ConfigProblem> problems)
    {
        public void Problem(SourceLocation at, string keyPath, string message) =>
            problems.Add(new ConfigProblem(at.File ?? file, at.Line, at.Column, keyPath, message));

        public static string UnknownKey(string key, IReadOnlyList<string> known, string where) =>
            Suggest.Closest(key, known) is { } hint
                ? $"unknown key '{key}'; did you mean '{hint}'?"
                : $"unknown key '{key}'; expected one of {string.Join(", ", known)} {where}";

        public string? String(MapNode map, string key, string? path = null)
        {
            if (map.Find(key) is not { } e) return null;
            if (e.Value is ScalarNode s) return s.IsNull ? "" : s.Value;
            Problem(e.Value.Location, path ?? key, $"expected a string, got {Describe(e.Value)}");
            return null;
        }

        /// <summary>The base config(s): one path or a list of distinct paths, relative to the spec's folder, each
        /// existing. Never empty when no problem was recorded.</summary>
        public List<string> Bases(MapNode map, string specDir)
        {
            var bases = new List<string>();
            if (map.Find("base") is not { } e || e.Value is ScalarNode { IsNull: true })
            {
                Problem(map.Location with { Line = 0, Column = 0 }, "base", "required key is missing; expected the path of the base experiment YAML, relative to the spec");
                return [""];
            }
            var items = e.Value switch { SequenceNode q => q.Items, ScalarNode s => [s], _ => null };
            if (items is null || items.Count == 0)
            {
                Problem(e.Value.Location, "base", $"expected a config path or a list of them, got {(items is null ? Describe(e.Value) : "an empty list")}");
                return [""];
            }
            foreach (var item in items)
            {
                if (item is not ScalarNode { IsNull: false, Value.Length: > 0 } s) { Problem(item.Location, "base", $"expected a config path, got {Describe(item)}"); continue; }
                string full = Path.GetFullPath(Path.Combine(specDir, s.Value));
                if (!File.Exists(full)) Problem(s.Location, "base", $"base config not found: {full}");
                else if (bases.Contains(full)) Problem(s.Location, "base", $"base config {s.Value} is listed twice");
                else bases.Add(full);
            }
            return bases.Count > 0 ? bases : [""];
        }

        int? Int(MapNode map, string key, string path, int min)
        {
            if (map.Find(key) is not { } e) return null;
            if (e.Value is ScalarNode { IsNull: false } s && int.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int v))
            {
                if (v >= min) return v;
                Problem(s.Location, path, $"must be at least {min}, got {v}");
                return null;
            }
            Problem(e.Value.Location, path, $"expected an integer, got {Describe(e.Value)}");
            return null;
        }

        /// <summary>The scalar leaves under <paramref name="key"/> as (dotted key path, value); nested mappings join
        /// their keys with '.', so <c>loss: {lambda_cyc: 0}</c> and <c>loss.lambda_cyc: 0</c> are the same.</summary>
        public List<(string Key, string Value, SourceLocation At)> Leaves(MapNode map, string key)
        {
            var leaves = new List<(string, string, SourceLocation)>();
            foreach (var (path, node) in Section(map, key))
            {
                if (node is ScalarNode s) leaves.Add((path, s.IsNull ? "" : s.Value, s.Location));
                else Problem(node.Location, $"{key}.{path}", "expected one value, got a list (lists of values belong in grid: or one_at_a_time:)");
            }
            return leaves;
        }

        /// <summary>Axes: key path to a non-empty list of distinct scalars (a single scalar is a list of one).</summary>
        public List<SweepAxis> Axes(MapNode map, string key)
        {
            var axes = new List<SweepAxis>();
            foreach (var (path, node) in Section(map, key))
            {
                var items = node is SequenceNode q ? q.Items : [node];
                if (items.Count == 0) { Problem(node.Location, $"{key}.{path}", "expected at least one value, got an empty list"); continue; }
                var values = new List<string>();
                var locations = new List<SpecLocation>();
                foreach (var item in items)
                {
                    if (item is not ScalarNode s) { Problem(item.Location, $"{key}.{path}", $"expected a value, got {Describe(item)}"); continue; }
                    string v = s.IsNull ? "" : s.Value;
                    if (values.Contains(v)) { Problem(s.Location, $"{key}.{path}", $"value '{v}' is listed twice"); continue; }
                    values.Add(v);
                    locations.Add(ToSpec(s.Location));
                }
                if (values.Count > 0) axes.Add(new SweepAxis(path, values) { Locations = locations });
            }
            return axes;
        }

        /// <summary>The non-mapping nodes under a top-level mapping section, keyed by their dotted path.</summary>
        List<(string Path, Node Node)> Section(MapNode map, string key)
        {
            var found = new List<(string, Node)>();
            if (map.Find(key) is not { } e || e.Value is ScalarNode { IsNull: true }) return found;
            if (e.Value is MapNode m) Collect(m, "", found);
            else Problem(e.Value.Location, key, $"expected a mapping of config key paths, got {Describe(e.Value)}");
            return found;
        }

        static void Collect(MapNode m, string prefix, List<(string, Node)> found)
        {
            foreach (var e in m.Entries)
            {
                string path = prefix.Length == 0 ? e.Key : prefix + "." + e.Key;
                if (e.Value is MapNode child) Collect(child, path, found);
                else found.Add((path, e.Value));
            }
        }

        public List<int> Seeds(MapNode map)
        {
            var seeds = new List<int>();
            if (map.Find("seeds") is not { } e || e.Value is ScalarNode { IsNull: true }) return seeds;
            var items = e.Value switch { SequenceNode q => q.Items, ScalarNode s => [s], _ => null };
            if (items is null) { Problem(e.Value.Location, "seeds", $"expected a list of integers, got {Describe(e.Value)}"); return seeds; }
            foreach (var item in items)
            {
                if (item is ScalarNode { IsNull: false } s && int.TryParse(s.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int seed))
                {
                    if (seeds.Contains(seed)) Problem(s.Location, "seeds", $"seed {seed} is listed twice");
                    else seeds.Add(seed);
                }
                else Problem(item.Location, "seeds", $"expected an integer seed, got {Describe(item)}");
            }
            return seeds;
        }

        public SlurmOptions Slurm(MapNode map)
        {
            if (map.Find("slurm") is not { } e || e.Value is ScalarNode { IsNull: true }) return new();
            if (e.Value is not MapNode m) { Problem(e.Value.Location, "slurm", $"expected a mapping of Slurm settings, got {Describe(e.Value)}"); return new(); }
            foreach (var k in m.Entries.Where(k => !SlurmKeys.Contains(k.Key)))
                Problem(k.KeyLocation, "slurm." + k.Key, UnknownKey(k.Key, SlurmKeys, "in slurm"));
            return new SlurmOptions(
                CpusPerTask: Int(m, "cpus_per_task", "slurm.cpus_per_task", 1) ?? 1,
                Time: String(m, "time", "slurm.time") ?? "",
                Mem: String(m, "mem", "slurm.mem") ?? "",
                Partition: String(m, "partition", "slurm.partition") ?? "",
                Parallel: Int(m, "parallel", "slurm.parallel", 0) ?? 0,
                Sbatch: Lines(m, "sbatch"),
                Setup: Lines(m, "setup"));
        }

        List<string> Lines(MapNode m, string key)
        {
            if (m.Find(key) is not { } e || e.Value is ScalarNode { IsNull: true }) return [];
            var items = e.Value switch { SequenceNode q => q.Items, ScalarNode s => [s], _ => [e.Value] };
            var lines = new List<string>();
            foreach (var item in items)
            {
                if (item is ScalarNode { IsNull: false } s && !s.Value.Contains('\n')) lines.Add(s.Value);
                else Problem(item.Location, "slurm." + key, $"expected one line of text per item, got {Describe(item)}");
            }
            return lines;
        }

        static string Describe(Node node) => node switch
        {
            ScalarNode { IsNull: true } => "null",
            ScalarNode s => $"'{s.Value}'",
            MapNode => "a mapping",
            _ => "a list",
        };
    }
}
