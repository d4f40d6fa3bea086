using System.Text.Json;

namespace StarGanLab.Benchmarks;

/// <summary>Who produced a saved benchmark result: `stargan bench --json`, or the official harness
/// (shared/anchors/bench_official.py), whose last line is one JSON object with mode "train".</summary>
public enum BaselineSource { Stargan, Official }

/// <summary>A saved training benchmark to compare a fresh one against. Phases and the width constant are only known
/// for our own results; the parameter counts identify the networks for both (the official JSON has no widths).</summary>
public sealed record BenchmarkBaseline(
    string Path, BaselineSource Source, int ImgSize, int BatchSize, int NumDomains, int? WidthConst, int Threads,
    double SecPerIterMedian, IReadOnlyList<double> TimedSecPerIter, PhaseTimes? PhaseMedians, double? PeakRssMiB,
    IReadOnlyDictionary<string, long> Params, int Accumulate = 1, string Precision = "fp32")
{
    /// <summary>Reads either format; anything else is refused with the file and the missing or wrong key named.</summary>
    public static BenchmarkBaseline Load(string path)
    {
        if (!File.Exists(path))
            throw new InvalidDataException($"{path}: no such file (expected the output of `stargan bench --json` or of bench_official.py)");
        string text = File.ReadAllText(path);
        // bench_official.py prints progress to stderr and one JSON object last; a saved log may hold more lines.
        string json = text.TrimEnd().Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{')) ?? text;
        JsonElement root;
        try { root = JsonDocument.Parse(json).RootElement; }
        catch (JsonException e) { throw new InvalidDataException($"{path}: not JSON ({e.Message})"); }
        if (root.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"{path}: expected a JSON object, found {root.ValueKind}");

        if (root.TryGetProperty("train", out var train))
            return FromStargan(path, new Reader(path, "train.", train));
        if (root.TryGetProperty("mode", out var mode))
        {
            if (mode.ValueKind != JsonValueKind.String || mode.GetString() != "train")
                throw new InvalidDataException($"{path}: key 'mode' is {mode.GetRawText()}, expected \"train\" (the --peak and --flops-only outputs of bench_official.py hold no iteration times)");
            return FromOfficial(path, new Reader(path, "", root));
        }
        throw new InvalidDataException($"{path}: neither a `stargan bench --json` result (no key 'train') nor a bench_official.py result (no key 'mode')");
    }

    static BenchmarkBaseline FromStargan(string path, Reader r)
    {
        int warmup = r.Int("warmup");
        var timed = r.Doubles("sec_per_iter_all").Skip(warmup).ToList();
        var p = r.Object("phase_medians");
        return new(path, BaselineSource.Stargan, r.Int("img_size"), r.Int("batch_size"), r.Int("num_domains"), r.Int("width_const"),
            r.Int("threads"), r.Double("sec_per_iter_median"), timed,
            PhaseTimes.Of(p.Double),
            r.Double("peak_rss_mi_b"), r.Longs("params"),
            // Results saved before these keys existed were made with the defaults.
            r.Has("accumulate") ? r.Int("accumulate") : 1, r.Has("precision") ? r.String("precision") : "fp32");
    }

    static BenchmarkBaseline FromOfficial(string path, Reader r)
    {
        int warmup = r.Int("warmup");
        var timed = r.Doubles("sec_per_iter_all").Skip(warmup).ToList();
        // max_rss_mb is ru_maxrss / 1024, i.e. MiB.
        return new(path, BaselineSource.Official, r.Int("img_size"), r.Int("batch"), r.Int("num_domains"), null,
            r.Int("threads"), r.Double("sec_per_iter_median"), timed, null, r.Double("max_rss_mb"), r.Longs("params"));
    }

    /// <summary>Typed access that names the file and the full key on every failure.</summary>
    sealed class Reader(string path, string prefix, JsonElement e)
    {
        JsonElement Get(string key, JsonValueKind kind)
        {
            if (!e.TryGetProperty(key, out var v))
                throw new InvalidDataException($"{path}: key '{prefix}{key}' is missing");
            if (v.ValueKind != kind)
                throw new InvalidDataException($"{path}: key '{prefix}{key}' is {v.ValueKind}, expected {kind}");
            return v;
        }

        public bool Has(string key) => e.TryGetProperty(key, out _);

        public string String(string key) => Get(key, JsonValueKind.String).GetString()!;

        public int Int(string key) =>
            Get(key, JsonValueKind.Number).TryGetInt32(out int i) ? i : throw new InvalidDataException($"{path}: key '{prefix}{key}' is not an integer");

        public double Double(string key)
        {
            double d = Get(key, JsonValueKind.Number).GetDouble();
            return double.IsFinite(d) && d >= 0 ? d : throw new InvalidDataException($"{path}: key '{prefix}{key}' is {d}, expected a finite number >= 0");
        }

        public IReadOnlyList<double> Doubles(string key) =>
            Get(key, JsonValueKind.Array).EnumerateArray().Select((v, i) => v.ValueKind == JsonValueKind.Number && v.GetDouble() >= 0
                ? v.GetDouble() : throw new InvalidDataException($"{path}: key '{prefix}{key}[{i}]' is {v.GetRawText()}, expected seconds")).ToList();

        public IReadOnlyDictionary<string, long> Longs(string key) =>
            Get(key, JsonValueKind.Object).EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt64(out long n)
                ? n : throw new InvalidDataException($"{path}: key '{prefix}{key}.{p.Name}' is {p.Value.GetRawText()}, expected a count"));

        public Reader Object(string key) => new(path, $"{prefix}{key}.", Get(key, JsonValueKind.Object));
    }
}
