using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace StarGanLab.Config;

/// <summary>The resolved config as YAML (for the run folder and --dry-run) and as flat key/value
/// pairs (tracking params). Both list every key, defaults included, in schema order. A value that was given as
/// <c>${env:NAME}</c> (<see cref="ConfigSecrets"/>) is written as that reference, never as its value.</summary>
public static class ConfigWriter
{
    /// <summary>Every key in snake_case, sections in declaration order; strings double-quoted,
    /// numbers in invariant round-trip form. <see cref="ConfigLoader"/> reads it back to an equal record.</summary>
    public static string ToYaml(ExperimentConfig config)
    {
        var root = ToNode(SectionSchema.Root, config, "", config.Secrets);
        var writer = new StringWriter { NewLine = "\n" };
        new YamlStream(new YamlDocument(root)).Save(writer, assignAnchors: false);
        var text = writer.ToString();
        // Drop YamlDotNet's document end marker: one document per file.
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text;
    }

    static YamlMappingNode ToNode(SectionSchema schema, object section, string prefix, ConfigSecrets secrets)
    {
        var map = new YamlMappingNode();
        foreach (var f in schema.Fields)
        {
            var key = prefix.Length == 0 ? f.Key : prefix + "." + f.Key;
            var value = f.Property.GetValue(section)!;
            map.Add(f.Key, f.Section is { } s
                ? ToNode(s, value, key, secrets)
                : new YamlScalarNode(secrets.ReferenceFor(key, value) ?? ConfigScalars.Format(value))
                    { Style = f.Kind is FieldKind.String or FieldKind.Enum ? ScalarStyle.DoubleQuoted : ScalarStyle.Plain });
        }
        return map;
    }

    /// <summary>A variant as YAML spells it (InjectionMode.Adain: adain, AdversarialLoss.WganGp: wgan_gp).</summary>
    public static string EnumName(Enum value) => ConfigScalars.EnumName(value);

    /// <summary>("train.batch_size", "8") pairs for every leaf, in schema order.</summary>
    public static IReadOnlyList<(string Key, string Value)> Flatten(ExperimentConfig config)
    {
        var pairs = new List<(string, string)>();
        Collect(SectionSchema.Root, config, "", config.Secrets, pairs);
        return pairs;
    }

    static void Collect(SectionSchema schema, object section, string prefix, ConfigSecrets secrets, List<(string, string)> pairs)
    {
        foreach (var f in schema.Fields)
        {
            var key = prefix.Length == 0 ? f.Key : prefix + "." + f.Key;
            var value = f.Property.GetValue(section)!;
            if (f.Section is { } s) Collect(s, value, key, secrets, pairs);
            else pairs.Add((key, secrets.ReferenceFor(key, value) ?? ConfigScalars.Format(value)));
        }
    }
}
