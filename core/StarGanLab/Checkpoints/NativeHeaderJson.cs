using System.Text.Json;
using System.Text.Json.Nodes;

namespace StarGanLab.Checkpoints;

/// <summary>
/// Header to and from JSON, by hand: every field is checked on the way in so a damaged or foreign
/// header gives an error that names the field, not a null somewhere later.
/// payload_sha256 comes before groups and config so the writer can find and patch its placeholder.
/// </summary>
internal static class NativeHeaderJson
{
    public static JsonObject ToJson(NativeCheckpointHeader h) => new()
    {
        ["format"] = h.Format,
        ["version"] = h.Version,
        ["kind"] = h.Kind,
        ["step"] = h.Step,
        ["payload_length"] = h.PayloadLength,
        ["payload_sha256"] = h.PayloadSha256,
        ["groups"] = new JsonObject(h.Groups.Select(g => KeyValuePair.Create<string, JsonNode?>(g.Key,
            new JsonArray(g.Value.Select(t => (JsonNode)new JsonObject
            {
                ["key"] = t.Key,
                ["dtype"] = t.DType,
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)JsonValue.Create(d)).ToArray()),
                ["bytes"] = t.Bytes,
            }).ToArray())))),
        ["config"] = h.Config?.DeepClone(),
    };

    public static NativeCheckpointHeader FromJson(ReadOnlySpan<byte> utf8, string file)
    {
        JsonObject o;
        try
        {
            o = JsonNode.Parse(utf8) as JsonObject ?? throw new CheckpointException($"{file}: the header is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"{file}: the header is not valid JSON ({e.Message})", e);
        }
        string format = Get<string>(o, "format", file);
        if (format != NativeCheckpoint.FormatName)
            throw new CheckpointException($"{file}: header format is '{format}', expected '{NativeCheckpoint.FormatName}'");
        int version = Get<int>(o, "version", file);
        if (version != NativeCheckpoint.FormatVersion)
            throw new CheckpointException($"{file}: format version {version}; this build reads version {NativeCheckpoint.FormatVersion}");
        var groups = new OrderedDictionary<string, IReadOnlyList<NativeTensorInfo>>();
        var groupsNode = o["groups"] as JsonObject ?? throw Missing("groups", "an object", file);
        foreach (var (name, list) in groupsNode)
        {
            var arr = list as JsonArray ?? throw Missing($"groups.{name}", "an array", file);
            groups[name] = arr.Select(t =>
            {
                var to = t as JsonObject ?? throw Missing($"groups.{name}[]", "an object", file);
                var shape = to["shape"] as JsonArray ?? throw Missing($"groups.{name}[].shape", "an array", file);
                return new NativeTensorInfo(
                    Get<string>(to, "key", file), Get<string>(to, "dtype", file),
                    shape.Select(d => d is JsonValue v && v.TryGetValue<long>(out var x) ? x : throw Missing($"groups.{name}[].shape[]", "an integer", file)).ToArray(),
                    Get<long>(to, "bytes", file));
            }).ToList();
        }
        return new NativeCheckpointHeader(
            format, version, Get<string>(o, "kind", file), Get<long>(o, "step", file),
            o["config"] is JsonObject config ? (JsonObject)config.DeepClone() : o["config"] is null ? null : throw Missing("config", "an object or null", file),
            groups, Get<long>(o, "payload_length", file), Get<string>(o, "payload_sha256", file));
    }

    static T Get<T>(JsonObject o, string name, string file) =>
        o[name] is JsonValue v && v.TryGetValue<T>(out var x) && x is not null ? x
            : throw Missing(name, typeof(T) == typeof(string) ? "a string" : "an integer", file);

    static CheckpointException Missing(string field, string expected, string file) =>
        new($"{file}: header field '{field}' is missing or not {expected}");
}
