using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace StarGanLab.Config;

internal enum FieldKind { Int, Long, Double, Bool, String, Enum, Section }

/// <summary>One constructor parameter of a config record, under its snake_case YAML key.</summary>
internal sealed record FieldSchema(string Key, ParameterInfo Parameter, PropertyInfo Property, FieldKind Kind, SectionSchema? Section)
{
    public bool HasDefault => Parameter.HasDefaultValue;
}

/// <summary>The YAML shape of a config record, read by reflection from its primary constructor:
/// one field per parameter, in declaration order (which is also the order ConfigWriter emits).</summary>
internal sealed class SectionSchema
{
    static readonly ConcurrentDictionary<Type, SectionSchema> Cache = new();

    public static SectionSchema Root => For(typeof(ExperimentConfig));

    public Type Type { get; }
    public ConstructorInfo Constructor { get; }
    public IReadOnlyList<FieldSchema> Fields { get; }

    SectionSchema(Type type)
    {
        Type = type;
        Constructor = type.GetConstructors(BindingFlags.Public | BindingFlags.Instance)
            .OrderByDescending(c => c.GetParameters().Length).First();
        Fields = Constructor.GetParameters().Select(p =>
        {
            var property = type.GetProperty(p.Name!)
                ?? throw new InvalidOperationException($"{type.Name}.{p.Name} has no property");
            var kind = KindOf(p.ParameterType);
            return new FieldSchema(SnakeCase(p.Name!), p, property, kind, kind == FieldKind.Section ? For(p.ParameterType) : null);
        }).ToList();
    }

    public static SectionSchema For(Type type) => Cache.GetOrAdd(type, t => new SectionSchema(t));

    public FieldSchema? Find(string key) => Fields.FirstOrDefault(f => f.Key == key);

    static FieldKind KindOf(Type t) =>
        t == typeof(int) ? FieldKind.Int
        : t == typeof(long) ? FieldKind.Long
        : t == typeof(double) ? FieldKind.Double
        : t == typeof(bool) ? FieldKind.Bool
        : t == typeof(string) ? FieldKind.String
        : t.IsEnum ? FieldKind.Enum
        : t.IsClass && t.Namespace == typeof(SectionSchema).Namespace ? FieldKind.Section
        : throw new InvalidOperationException($"config field type {t.Name} is not supported");

    /// <summary>PascalCase to snake_case: an underscore before every upper-case letter but the
    /// first (WHpf -> w_hpf, FLr -> f_lr, Beta1 -> beta1).</summary>
    internal static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i])) sb.Append('_');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }

    /// <summary>Every leaf key path ("train.batch_size"), in schema order.</summary>
    public IEnumerable<string> LeafPaths(string prefix = "")
    {
        foreach (var f in Fields)
        {
            var path = prefix.Length == 0 ? f.Key : prefix + "." + f.Key;
            if (f.Section is { } s) foreach (var p in s.LeafPaths(path)) yield return p;
            else yield return path;
        }
    }
}

/// <summary>Scalar text to and from typed values, shared by the loader, writer and run names.</summary>
internal static class ConfigScalars
{
    public static string Expected(FieldSchema field) =>
        field.Kind == FieldKind.Enum ? "one of " + string.Join(", ", EnumNames(field.Parameter.ParameterType)) : Expected(field.Kind);

    public static string Expected(FieldKind kind) => kind switch
    {
        FieldKind.Int or FieldKind.Long => "an integer",
        FieldKind.Double => "a number",
        FieldKind.Bool => "true or false",
        FieldKind.String => "a string",
        _ => "a mapping",
    };

    /// <summary>Parses <paramref name="text"/> as <paramref name="kind"/>; null when it is not one.
    /// Numbers use the invariant culture; doubles must be finite.</summary>
    public static object? TryParse(FieldSchema field, string text) =>
        field.Kind != FieldKind.Enum ? TryParse(field.Kind, text)
        : Enum.GetValues(field.Parameter.ParameterType).Cast<Enum>().FirstOrDefault(v => EnumName(v) == text);

    /// <summary>An enum value as YAML spells it: the member's snake_case name (WganGp: wgan_gp).</summary>
    public static string EnumName(Enum value) => SectionSchema.SnakeCase(value.ToString());

    static IEnumerable<string> EnumNames(Type type) => Enum.GetValues(type).Cast<Enum>().Select(EnumName);

    public static object? TryParse(FieldKind kind, string text)
    {
        var ci = CultureInfo.InvariantCulture;
        const NumberStyles integer = NumberStyles.AllowLeadingSign;
        switch (kind)
        {
            case FieldKind.Int: return int.TryParse(text, integer, ci, out var i) ? i : null;
            case FieldKind.Long: return long.TryParse(text, integer, ci, out var l) ? l : null;
            case FieldKind.Double:
                return double.TryParse(text, NumberStyles.Float, ci, out var d) && double.IsFinite(d) ? d : null;
            case FieldKind.Bool:
                return text.ToLowerInvariant() switch { "true" => true, "false" => false, _ => null };
            case FieldKind.String: return text;
            default: return null;
        }
    }

    /// <summary>Invariant text that <see cref="TryParse"/> reads back to the same value
    /// (doubles in shortest round-trip form).</summary>
    public static string Format(object value) => value switch
    {
        double d => d.ToString("R", CultureInfo.InvariantCulture).Replace("E", "e"),
        bool b => b ? "true" : "false",
        Enum e => EnumName(e),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

/// <summary>Did-you-mean suggestions by Levenshtein distance.</summary>
internal static class Suggest
{
    public static string? Closest(string key, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            var d = Distance(key, c);
            if (d < bestDistance) (best, bestDistance) = (c, d);
        }
        // Allow roughly one edit per three characters, at least two.
        return best is not null && bestDistance <= Math.Max(2, key.Length / 3) ? best : null;
    }

    public static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
