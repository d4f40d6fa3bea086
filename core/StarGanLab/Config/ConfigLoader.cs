using System.Text;

namespace StarGanLab.Config;

/// <summary>Loads an <see cref="ExperimentConfig"/> from YAML: composes <c>base:</c> files, applies
/// <c>--set key.path=value</c> overrides, binds keys to the records by their snake_case names and
/// validates. Every problem found is reported together in one <see cref="ConfigException"/>.</summary>
/// <remarks>
/// Composition: a top-level <c>base: path</c> (relative to the file that names it) is loaded
/// first and the file's keys override it, mappings merging key by key; chains are allowed,
/// cycles are errors, and a base outside <see cref="ConfigLoadOptions.AllowedRoot"/> (default:
/// the top config's directory) is refused unless <see cref="ConfigLoadOptions.AllowOutsideIncludes"/>.
/// Precedence, lowest first: defaults, base chain, the file, overrides in the order given.
/// A YAML null (empty, ~, null) for a string key means the empty string.
/// </remarks>
public static class ConfigLoader
{
    public const string BaseKey = "base";

    public static ExperimentConfig Load(string path, IEnumerable<string>? overrides = null, ConfigLoadOptions? options = null)
    {
        options ??= new();
        var problems = new List<ConfigProblem>();
        var text = ReadFile(path, path, options, problems);
        return Resolve(text, path, Path.GetFullPath(path), overrides, options, problems);
    }

    /// <summary>As <see cref="Load"/>, from text; <paramref name="fileName"/> names it in messages
    /// and anchors relative <c>base:</c> paths.</summary>
    public static ExperimentConfig Parse(string yamlText, string fileName, IEnumerable<string>? overrides = null, ConfigLoadOptions? options = null)
    {
        options ??= new();
        var problems = new List<ConfigProblem>();
        CheckSize(Encoding.UTF8.GetByteCount(yamlText), fileName, options, problems);
        return Resolve(yamlText, fileName, Path.GetFullPath(fileName), overrides, options, problems);
    }

    static ExperimentConfig Resolve(string text, string display, string fullPath, IEnumerable<string>? overrides,
        ConfigLoadOptions options, List<ConfigProblem> problems)
    {
        var allowedRoot = Path.GetFullPath(options.AllowedRoot ?? Path.GetDirectoryName(fullPath)!);
        var tree = Compose(text, display, fullPath, [], allowedRoot, options, problems);
        ApplyOverrides(tree, overrides ?? [], problems);

        var binder = new Binder(problems, options.Environment ?? Environment.GetEnvironmentVariable);
        var config = (ExperimentConfig)binder.Bind(SectionSchema.Root, tree, "");
        var secrets = new ConfigSecrets(binder.Secrets);
        new ConfigValidator(problems, binder.Locate, binder.IsSet, binder.Unbound, secrets, options.Use).Validate(config);
        if (problems.Count > 0) throw new ConfigException(problems);
        return config with { Secrets = secrets };
    }

    // ---- composition ----

    static MapNode Compose(string text, string display, string fullPath, List<string> chain, string allowedRoot,
        ConfigLoadOptions options, List<ConfigProblem> problems)
    {
        var map = YamlReader.Read(text, display, options, problems);
        var baseEntry = map.Find(BaseKey);
        if (baseEntry is null) return map;
        map.Entries.Remove(baseEntry);

        var at = baseEntry.Value.Location;
        if (baseEntry.Value is not ScalarNode { IsNull: false } s || s.Value.Length == 0)
            throw Fatal(problems, new ConfigProblem(display, at.Line, at.Column, BaseKey, "expected the path of a YAML file"));

        var basePath = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(fullPath)!, s.Value));
        var nextChain = chain.Append(fullPath).ToList();
        if (nextChain.Contains(basePath, StringComparer.Ordinal))
        {
            var cycle = string.Join(" -> ", nextChain.SkipWhile(p => p != basePath).Append(basePath).Select(Display));
            throw Fatal(problems, new ConfigProblem(display, at.Line, at.Column, BaseKey, $"include cycle: {cycle}"));
        }
        if (nextChain.Count > options.MaxIncludeDepth)
            throw Fatal(problems, new ConfigProblem(display, at.Line, at.Column, BaseKey, $"more than {options.MaxIncludeDepth} nested base files"));
        // A link inside the root can point anywhere: the check compares where the files really are, and the file read
        // is the one checked.
        var realBase = Native.RealPath.Of(basePath) ?? basePath;
        if (!options.AllowOutsideIncludes && !IsUnder(realBase, Native.RealPath.Of(allowedRoot) ?? allowedRoot))
            throw Fatal(problems, new ConfigProblem(display, at.Line, at.Column, BaseKey,
                $"'{s.Value}' resolves to {realBase}, outside the allowed root {allowedRoot} (set AllowOutsideIncludes to permit)"));
        if (!File.Exists(basePath))
            throw Fatal(problems, new ConfigProblem(display, at.Line, at.Column, BaseKey, $"base file not found: {basePath}"));

        var baseDisplay = Display(basePath);
        var baseText = ReadFile(realBase, baseDisplay, options, problems);
        var baseMap = Compose(baseText, baseDisplay, basePath, nextChain, allowedRoot, options, problems);
        return MapNode.Merge(baseMap, map);
    }

    static bool IsUnder(string path, string root)
    {
        var r = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return path.StartsWith(r, StringComparison.Ordinal);
    }

    static string Display(string fullPath)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, fullPath);
        return relative.StartsWith("..", StringComparison.Ordinal) ? fullPath : relative;
    }

    static string ReadFile(string path, string display, ConfigLoadOptions options, List<ConfigProblem> problems)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
            throw Fatal(problems, new ConfigProblem(display, 0, 0, "", "config file not found"));
        CheckSize(info.Length, display, options, problems);
        return File.ReadAllText(path);
    }

    static void CheckSize(long bytes, string display, ConfigLoadOptions options, List<ConfigProblem> problems)
    {
        if (bytes > options.MaxFileBytes)
            throw Fatal(problems, new ConfigProblem(display, 0, 0, "",
                $"file is {bytes} bytes, larger than the {options.MaxFileBytes}-byte limit for config files"));
    }

    static ConfigException Fatal(List<ConfigProblem> problems, ConfigProblem p)
    {
        problems.Add(p);
        return new ConfigException(problems.ToList());
    }

    // ---- overrides ----

    /// <summary>Applies "key.path=value" overrides in order; each becomes a plain scalar located
    /// at "--set key.path=value", so its binding errors name it.</summary>
    static void ApplyOverrides(MapNode root, IEnumerable<string> overrides, List<ConfigProblem> problems)
    {
        foreach (var o in overrides)
        {
            var source = new SourceLocation("--set " + o, 0, 0);
            var eq = o.IndexOf('=');
            var keys = eq > 0 ? o[..eq].Trim().Split('.') : [];
            if (keys.Length == 0 || keys.Any(k => k.Length == 0))
            {
                problems.Add(new ConfigProblem(source.File, 0, 0, "", "expected key.path=value, e.g. train.batch_size=4"));
                continue;
            }
            var map = root;
            for (var i = 0; i < keys.Length - 1 && map is not null; i++)
            {
                var entry = map.Find(keys[i]);
                if (entry is null or { Value: ScalarNode { IsNull: true } })
                {
                    var child = new MapNode(source);
                    map.Set(new Entry(keys[i], source, child));
                    map = child;
                }
                else if (entry.Value is MapNode m) map = m;
                else
                {
                    problems.Add(new ConfigProblem(source.File, 0, 0, string.Join('.', keys[..(i + 1)]), "is not a mapping, cannot set a key under it"));
                    map = null;
                }
            }
            map?.Set(new Entry(keys[^1], source, new ScalarNode(o[(eq + 1)..], false, source)));
        }
    }

    // ---- binding ----

    /// <summary>Builds records from the tree by reflection over their constructors, collecting
    /// problems; a field that fails to bind gets its default (or a placeholder) and is listed in
    /// <see cref="Unbound"/> so validation does not report it twice.</summary>
    sealed class Binder(List<ConfigProblem> problems, Func<string, string?> environment)
    {
        readonly Dictionary<string, SourceLocation> locations = new() { [""] = default };
        public HashSet<string> Unbound { get; } = [];
        public List<SecretValue> Secrets { get; } = [];

        public bool IsSet(string path) => path.Length > 0 && locations.ContainsKey(path);

        /// <summary>Where a key path was set, or its nearest ancestor that was; Line 0 if none.</summary>
        public SourceLocation Locate(string path)
        {
            while (true)
            {
                if (locations.TryGetValue(path, out var loc)) return loc;
                var dot = path.LastIndexOf('.');
                path = dot < 0 ? "" : path[..dot];
            }
        }

        public object Bind(SectionSchema schema, MapNode? map, string path)
        {
            if (path.Length == 0 && map is not null) locations[""] = map.Location with { Line = 0, Column = 0 };
            if (map is not null)
                foreach (var e in map.Entries.Where(e => schema.Find(e.Key) is null))
                    problems.Add(Problem(e.KeyLocation, Join(path, e.Key), UnknownKey(schema, path, e.Key)));

            var args = new object?[schema.Fields.Count];
            for (var i = 0; i < args.Length; i++)
            {
                var field = schema.Fields[i];
                var fieldPath = Join(path, field.Key);
                var entry = map?.Find(field.Key);
                if (entry is not null)
                    locations[fieldPath] = entry.Value is MapNode ? entry.KeyLocation : entry.Value.Location;
                args[i] = field.Section is { } section
                    ? BindSection(section, entry, fieldPath)
                    : BindScalar(field, entry, fieldPath);
            }
            return schema.Constructor.Invoke(args);
        }

        object BindSection(SectionSchema section, Entry? entry, string path)
        {
            switch (entry?.Value)
            {
                case null or ScalarNode { IsNull: true }: return Bind(section, null, path);
                case MapNode m: return Bind(section, m, path);
                default:
                    problems.Add(Problem(entry.Value.Location, path, $"expected a mapping of {path} keys, got {Describe(entry.Value)}"));
                    Unbound.Add(path);
                    return Bind(section, null, path);
            }
        }

        object? BindScalar(FieldSchema field, Entry? entry, string path)
        {
            if (entry is null)
            {
                if (field.HasDefault) return field.Parameter.DefaultValue;
                var parent = Locate(path);
                problems.Add(Problem(parent, path, $"required key is missing; expected {ConfigScalars.Expected(field)}"));
                Unbound.Add(path);
                return Placeholder(field);
            }
            var node = entry.Value;
            if (field.Kind == FieldKind.String && node is ScalarNode { IsNull: false } r && ConfigSecrets.EnvReference(r.Value) is { } variable)
                return BindSecret(field, r, variable, path);
            object? value = node switch
            {
                ScalarNode { IsNull: true } when field.Kind == FieldKind.String => "",
                ScalarNode { IsNull: false } s => ConfigScalars.TryParse(field, s.Value),
                _ => null,
            };
            if (value is not null) return value;
            problems.Add(Problem(node.Location, path, $"expected {ConfigScalars.Expected(field)}, got {Describe(node)}"));
            Unbound.Add(path);
            return field.HasDefault ? field.Parameter.DefaultValue : Placeholder(field);
        }

        /// <summary>A <c>${env:NAME}</c> value: read from the environment now, remembered as a secret.</summary>
        object? BindSecret(FieldSchema field, ScalarNode node, string variable, string path)
        {
            if (ConfigSecrets.Forbidden.Contains(path))
                problems.Add(Problem(node.Location, path, $"environment references ('{node.Value}') are not allowed here: this key names run folders"));
            else if (environment(variable) is not { } value)
                problems.Add(Problem(node.Location, path, $"'{node.Value}': environment variable {variable} is not set"));
            else
            {
                Secrets.Add(new SecretValue(path, node.Value, value));
                Security.SecretRedactor.Register(value, node.Value);
                return value;
            }
            Unbound.Add(path);
            return field.HasDefault ? field.Parameter.DefaultValue : Placeholder(field);
        }

        static object? Placeholder(FieldSchema field) =>
            field.Kind == FieldKind.String ? "" : Activator.CreateInstance(field.Parameter.ParameterType);

        /// <summary>Suggestions name full key paths, so a key in the wrong section ("train.threads") is told where it
        /// lives ("threads", a top-level key) instead of being offered its own name back.</summary>
        static string UnknownKey(SectionSchema schema, string path, string key)
        {
            // The right key in the wrong section first: the likeliest mistake, and the suggestion must move it.
            var elsewhere = SectionSchema.Root.LeafPaths().FirstOrDefault(p => p.EndsWith("." + key, StringComparison.Ordinal) || p == key);
            if (elsewhere is not null && elsewhere != Join(path, key))
                return $"unknown key '{key}'; did you mean '{elsewhere}'{(elsewhere.Contains('.') ? "" : " (a top-level key)")}?";
            var hint = Suggest.Closest(key, schema.Fields.Select(f => f.Key));
            if (hint is not null) return $"unknown key '{key}'; did you mean '{Join(path, hint)}'?";
            var scope = path.Length == 0 ? "at the top level" : $"in {path}";
            return $"unknown key '{key}'; expected one of {string.Join(", ", schema.Fields.Select(f => f.Key))} {scope}";
        }

        static string Describe(Node node) => node switch
        {
            ScalarNode { IsNull: true } => "null",
            ScalarNode s => $"'{s.Value}'",
            MapNode => "a mapping",
            _ => "a sequence",
        };

        static ConfigProblem Problem(SourceLocation at, string path, string message) =>
            new(at.File, at.Line, at.Column, path, message);

        static string Join(string path, string key) => path.Length == 0 ? key : path + "." + key;
    }
}
