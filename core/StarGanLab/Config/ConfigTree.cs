using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace StarGanLab.Config;

internal readonly record struct SourceLocation(string File, int Line, int Column);

// The parse-time tree: YAML mappings and scalars with their source positions, so that values
// merged from several files and --set overrides still report where they came from. It exists
// only between reading and binding; configs themselves are the typed records.
internal abstract class Node(SourceLocation location)
{
    public SourceLocation Location { get; } = location;
}

internal sealed class ScalarNode(string value, bool isNull, SourceLocation location) : Node(location)
{
    public string Value { get; } = value;
    /// <summary>A YAML null: an empty plain scalar, ~ or null.</summary>
    public bool IsNull { get; } = isNull;
}

internal sealed class SequenceNode(SourceLocation location) : Node(location)
{
    /// <summary>The items in order (configs have no lists; sweep specs do).</summary>
    public List<Node> Items { get; } = [];
}

internal sealed record Entry(string Key, SourceLocation KeyLocation, Node Value);

internal sealed class MapNode(SourceLocation location) : Node(location)
{
    public List<Entry> Entries { get; } = [];
    public Entry? Find(string key) => Entries.Find(e => e.Key == key);

    public void Set(Entry entry)
    {
        var i = Entries.FindIndex(e => e.Key == entry.Key);
        if (i >= 0) Entries[i] = entry; else Entries.Add(entry);
    }

    /// <summary>Deep merge: <paramref name="overlay"/>'s keys replace <paramref name="baseMap"/>'s,
    /// mappings present in both merge recursively. Neither input changes.</summary>
    public static MapNode Merge(MapNode baseMap, MapNode overlay)
    {
        var result = new MapNode(overlay.Location);
        result.Entries.AddRange(baseMap.Entries);
        foreach (var e in overlay.Entries)
        {
            var existing = result.Find(e.Key);
            result.Set(existing is { Value: MapNode b } && e.Value is MapNode o ? e with { Value = Merge(b, o) } : e);
        }
        return result;
    }
}

/// <summary>Reads one YAML document into a <see cref="MapNode"/> through YamlDotNet's
/// representation model only. No deserializer runs, so no YAML tag can construct a .NET type;
/// tags other than the core schema's are refused. Guards: nesting depth (checked on the event
/// stream before the representation model recurses) and the number of nodes visited with
/// aliases expanded (an anchor reused many times, "billion laughs").</summary>
internal static class YamlReader
{
    static readonly HashSet<string> CoreTags =
        new[] { "str", "int", "float", "bool", "null", "map", "seq" }.Select(t => "tag:yaml.org,2002:" + t).ToHashSet();

    public static MapNode Read(string text, string file, ConfigLoadOptions options, List<ConfigProblem> problems)
    {
        try
        {
            CheckNesting(text, file, options.MaxNestingDepth, problems);
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count == 0) return new MapNode(new SourceLocation(file, 1, 1));
            if (stream.Documents.Count > 1)
                throw Fatal(problems, new ConfigProblem(file, At(stream.Documents[1].RootNode.Start).Line, At(stream.Documents[1].RootNode.Start).Column, "",
                    "expected one YAML document, found several"));
            var root = stream.Documents[0].RootNode;
            CountExpandedNodes(root, file, options.MaxAliasNodes, problems);
            var node = Convert(root, file, "", 0, options.MaxNestingDepth, problems);
            if (node is MapNode map) return map;
            if (node is ScalarNode { IsNull: true }) return new MapNode(node.Location);
            throw Fatal(problems, new ConfigProblem(file, node.Location.Line, node.Location.Column, "", "expected a mapping of config keys at the top level"));
        }
        catch (YamlException e)
        {
            var m = At(e.Start);
            throw Fatal(problems, new ConfigProblem(file, m.Line, m.Column, "", "YAML syntax error: " + e.Message));
        }
    }

    static (int Line, int Column) At(Mark m) => ((int)m.Line, (int)m.Column);

    static ConfigException Fatal(List<ConfigProblem> problems, ConfigProblem p)
    {
        problems.Add(p);
        return new ConfigException(problems.ToList());
    }

    static void CheckNesting(string text, string file, int maxDepth, List<ConfigProblem> problems)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case MappingStart or SequenceStart:
                    if (++depth > maxDepth)
                    {
                        var m = At(parser.Current!.Start);
                        throw Fatal(problems, new ConfigProblem(file, m.Line, m.Column, "", $"YAML nested deeper than {maxDepth} levels"));
                    }
                    break;
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }
        }
    }

    // Iterative, so a self-referencing anchor cannot recurse; stops at the limit.
    static void CountExpandedNodes(YamlNode root, string file, int limit, List<ConfigProblem> problems)
    {
        var stack = new Stack<YamlNode>();
        stack.Push(root);
        var visited = 0;
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (++visited > limit)
                throw Fatal(problems, new ConfigProblem(file, 0, 0, "",
                    $"YAML aliases expand to more than {limit} nodes; refusing (anchor/alias bomb?)"));
            switch (node)
            {
                case YamlMappingNode map:
                    foreach (var (k, v) in map.Children) { stack.Push(k); stack.Push(v); }
                    break;
                case YamlSequenceNode seq:
                    foreach (var c in seq.Children) stack.Push(c);
                    break;
            }
        }
    }

    static Node Convert(YamlNode node, string file, string path, int depth, int maxDepth, List<ConfigProblem> problems)
    {
        var (line, column) = At(node.Start);
        var location = new SourceLocation(file, line, column);
        // Aliases can nest anchored mappings deeper than the text does.
        if (depth > maxDepth)
            throw Fatal(problems, new ConfigProblem(file, line, column, path, $"YAML nested deeper than {maxDepth} levels (through aliases)"));
        if (!node.Tag.IsEmpty && !CoreTags.Contains(node.Tag.Value))
            problems.Add(new ConfigProblem(file, line, column, path, $"YAML tag '{node.Tag.Value}' is not supported"));
        switch (node)
        {
            case YamlScalarNode s:
                var text = s.Value ?? "";
                var isNull = s.Style == ScalarStyle.Plain && text is "" or "~" or "null" or "Null" or "NULL";
                return new ScalarNode(isNull ? "" : text, isNull, location);
            case YamlMappingNode m:
                var map = new MapNode(location);
                foreach (var (k, v) in m.Children)
                {
                    var (kl, kc) = At(k.Start);
                    if (k is not YamlScalarNode { Value: { } key })
                    {
                        problems.Add(new ConfigProblem(file, kl, kc, path, "mapping keys must be plain strings"));
                        continue;
                    }
                    var childPath = path.Length == 0 ? key : path + "." + key;
                    map.Entries.Add(new Entry(key, new SourceLocation(file, kl, kc), Convert(v, file, childPath, depth + 1, maxDepth, problems)));
                }
                return map;
            case YamlSequenceNode q:
                var seq = new SequenceNode(location);
                for (var i = 0; i < q.Children.Count; i++)
                    seq.Items.Add(Convert(q.Children[i], file, $"{path}[{i}]", depth + 1, maxDepth, problems));
                return seq;
            default:
                return new SequenceNode(location);
        }
    }
}
