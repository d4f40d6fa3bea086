using System.Text.Json;
using System.Text.Json.Nodes;
using StarGanLab.IO;
using StarGanLab.Reports;
using StarGanLab.Runs;

namespace StarGanLab.Metrics;

/// <summary>Writes evaluation results into a run directory: eval/{FID}_{step:D5}_{mode}.json and
/// eval/{LPIPS}_{step:D5}_{mode}.json as the official (the mean over seeds; with several seeds also the _std files
/// and each seed's files under eval/seed{N}/), and one line per step in metrics.jsonl with every value plus
/// the standard deviations as "{prefix}_std/{task}" when there are several seeds.</summary>
public static class EvalWriter
{
    public const string EvalFolder = "eval";

    public static IReadOnlyList<string> Write(RunDirectory run, IReadOnlyList<EvalResult> results, string fidName, string lpipsName)
    {
        var written = new List<string>();
        foreach (var r in results)
        {
            foreach (var prefix in new[] { fidName, lpipsName }.Where(p => p.Length > 0))   // "" with metrics.backbone none
            {
                string head = $"{prefix}_{r.Mode}/";
                written.Add(WriteJson(Path.Combine(run.Path, EvalFolder, $"{prefix}_{r.Step:D5}_{r.Mode}.json"), Select(r.Mean, head)));
                if (r.Seeds.Count < 2) continue;
                written.Add(WriteJson(Path.Combine(run.Path, EvalFolder, $"{prefix}_{r.Step:D5}_{r.Mode}_std.json"), Select(r.Std, head)));
                for (int i = 0; i < r.Seeds.Count; i++)
                    written.Add(WriteJson(Path.Combine(run.Path, EvalFolder, $"seed{r.Seeds[i]}", $"{prefix}_{r.Step:D5}_{r.Mode}.json"), Select(r.PerSeed[i], head)));
            }
            bool Named(string key, string prefix) => prefix.Length > 0 && key.StartsWith($"{prefix}_{r.Mode}/", StringComparison.Ordinal);
            var others = r.Mean.Where(kv => !Named(kv.Key, fidName) && !Named(kv.Key, lpipsName)).ToList();
            if (others.Count > 0)
                written.Add(WriteJson(Path.Combine(run.Path, EvalFolder, $"extra_{r.Step:D5}_{r.Mode}.json"), others));
        }
        AppendMetricsLine(Path.Combine(run.Path, RunResults.MetricsFileName), results);
        return written;
    }

    /// <summary>Every value of <paramref name="results"/> (all at one step) as (name, value); with several seeds also
    /// the standard deviations, named "{prefix}_std/{rest}" (FID_latent/mean -> FID_latent_std/mean).</summary>
    public static List<(string Key, double Value)> Flatten(IReadOnlyList<EvalResult> results)
    {
        var list = new List<(string, double)>();
        foreach (var r in results)
        {
            list.AddRange(r.Mean.Select(kv => (kv.Key, kv.Value)));
            if (r.Seeds.Count > 1) list.AddRange(r.Std.Select(kv => (StdName(kv.Key), kv.Value)));
        }
        return list;
    }

    public static string StdName(string key)
    {
        int slash = key.IndexOf('/');
        return slash < 0 ? key + "_std" : $"{key[..slash]}_std{key[slash..]}";
    }

    /// <summary>Adds one {"step": N, ...} line, replacing an earlier line of the same step (a re-evaluation, or a
    /// resumed run passing the step again). What the earlier line has of metrics this evaluation did not compute stays:
    /// a ground-truth-only re-evaluation (metrics.backbone none) must not drop the step's FID and LPIPS. A metric it
    /// did compute is replaced whole, standard deviations included. The file is rewritten whole through AtomicFile, so
    /// a crash leaves the old file or the new one, never a torn line.</summary>
    public static void AppendMetricsLine(string path, IReadOnlyList<EvalResult> results)
    {
        if (results.Count == 0) return;
        long step = results[0].Step;
        var lines = File.Exists(path) ? File.ReadAllLines(path).Where(l => l.Trim().Length > 0).ToList() : [];
        var values = Flatten(results);
        var recomputed = values.Select(kv => Family(kv.Key)).ToHashSet();
        var line = new JsonObject { ["step"] = step };
        foreach (string earlier in lines.Where(l => StepOf(l) == step))
            foreach (var (k, v) in JsonNode.Parse(earlier)!.AsObject())
                if (k != "step" && !recomputed.Contains(Family(k))) line[k] = v?.DeepClone();
        foreach (var (k, v) in values) line[k] = v;
        var kept = lines.Where(l => StepOf(l) != step).ToList();
        kept.Add(line.ToJsonString());
        AtomicFile.WriteAllText(path, string.Join("\n", kept) + "\n");
    }

    /// <summary>The metric a value belongs to: its name before the first '/', without a "_std" ending
    /// (FID_latent_std/cat2dog and FID_latent/mean are both FID_latent).</summary>
    static string Family(string key)
    {
        string head = key.Split('/')[0];
        return head.EndsWith("_std", StringComparison.Ordinal) ? head[..^4] : head;
    }

    /// <summary>Whether the metrics file at <paramref name="path"/> has a line for <paramref name="step"/>: whether that
    /// step was evaluated to the end (the line is written after every value is computed).</summary>
    public static bool HasStep(string path, long step) =>
        File.Exists(path) && File.ReadLines(path).Any(l => l.Trim().Length > 0 && StepOf(l) == step);

    static long? StepOf(string line)
    {
        try
        {
            using var doc = JsonDocument.Parse(line);
            return doc.RootElement.TryGetProperty("step", out var s) && s.TryGetInt64(out long v) ? v : null;
        }
        catch (JsonException)
        {
            return null;   // a foreign or torn line is kept as it is; RunResults reports it
        }
    }

    static IEnumerable<KeyValuePair<string, double>> Select(IReadOnlyDictionary<string, double> values, string head) =>
        values.Where(kv => kv.Key.StartsWith(head, StringComparison.Ordinal));

    static string WriteJson(string path, IEnumerable<KeyValuePair<string, double>> values)
    {
        var o = new JsonObject();
        foreach (var (k, v) in values) o[k] = v;
        AtomicFile.WriteAllText(path, o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return path;
    }
}
