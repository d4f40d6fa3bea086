using System.Text.Json;

namespace StarGanLab.Reports;

/// <summary>One named scalar over training steps, steps ascending.</summary>
public sealed record ScalarSeries(string Name, IReadOnlyList<long> Steps, IReadOnlyList<double> Values)
{
    public double Last => Values[^1];
    public long LastStep => Steps[^1];
}

/// <summary>A JSON-lines scalar log as the trainer writes it (losses.jsonl: one object per print_every steps with
/// "step", "time", "s_per_iter", "data_wait_s_per_iter" and the official loss terms such as "D/latent_real").
/// Every numeric field other than "step" becomes a series, in the order of first appearance; a step logged twice
/// keeps its last value. Torn last lines (a run killed mid-write) are skipped; any other bad line is an error.</summary>
public sealed class ScalarLog
{
    public const string StepKey = "step";

    public IReadOnlyList<ScalarSeries> Series { get; }

    ScalarLog(IReadOnlyList<ScalarSeries> series) => Series = series;

    public static ScalarLog Empty { get; } = new([]);

    public ScalarSeries? this[string name] => Series.FirstOrDefault(s => s.Name == name);

    public IEnumerable<ScalarSeries> WithPrefix(string prefix) => Series.Where(s => s.Name.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>The log in <paramref name="path"/>, or <see cref="Empty"/> when the file does not exist.</summary>
    public static ScalarLog Read(string path)
    {
        if (!File.Exists(path)) return Empty;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);   // the trainer may be appending
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), path);
    }

    public static ScalarLog Parse(string text, string source)
    {
        var byName = new Dictionary<string, SortedDictionary<long, double>>();
        var order = new List<string>();
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0) continue;
            JsonDocument doc;
            try { doc = JsonDocument.Parse(line); }
            catch (JsonException) when (lines.Skip(i + 1).All(l => l.Trim().Length == 0))
            {
                continue;   // the torn last line of a killed run
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{source}:{i + 1}: not a JSON object ({e.Message})", e);
            }
            using (doc)
            {
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(StepKey, out var stepElement) || !stepElement.TryGetInt64(out long step))
                    throw new InvalidDataException($"{source}:{i + 1}: expected an object with an integer \"{StepKey}\"");
                foreach (var p in root.EnumerateObject())
                {
                    if (p.Name == StepKey || p.Value.ValueKind != JsonValueKind.Number) continue;
                    if (!byName.TryGetValue(p.Name, out var points))
                    {
                        byName[p.Name] = points = new SortedDictionary<long, double>();
                        order.Add(p.Name);
                    }
                    points[step] = p.Value.GetDouble();
                }
            }
        }
        return new ScalarLog(order.Select(n => new ScalarSeries(n, [.. byName[n].Keys], [.. byName[n].Values])).ToList());
    }
}
