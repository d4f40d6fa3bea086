namespace StarGanLab.Benchmarks;

/// <summary>A fresh benchmark set against a saved one. Against our own saved result it is a regression guard; against
/// the official harness's result it is the speed ratio the README quotes (ours / official, lower is faster).</summary>
public sealed record BenchmarkComparison(
    BaselineSource Against, double Ratio, double Margin, bool Regressed, double? MaxRatio, bool AboveMaxRatio,
    IReadOnlyList<(string Phase, double Now, double Saved, double Ratio)> Phases, double? PeakRssRatio)
{
    /// <summary>Whether the command should fail: a regression beyond noise against our own result, or a ratio above
    /// the --max-ratio bound when one is given.</summary>
    public bool Failed => Regressed || AboveMaxRatio;

    /// <summary>Relative spread of a set of timings, (max - min) / median: how far apart two medians of this machine
    /// can be with nothing changed. Zero with fewer than two timings.</summary>
    public static double Spread(IReadOnlyList<double> secs)
    {
        if (secs.Count < 2) return 0;
        var s = secs.Order().ToArray();
        double median = s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
        return median > 0 ? (s[^1] - s[0]) / median : 0;
    }

    /// <param name="tolerance">the smallest slowdown counted as a regression (0.10: 10%), used when both sets of
    /// timings are tighter than that.</param>
    public static BenchmarkComparison Of(TrainingBenchmarkResult now, BenchmarkBaseline saved, double tolerance = 0.10, double? maxRatio = null)
    {
        if (!(tolerance >= 0)) throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "expected a fraction >= 0");
        if (maxRatio is { } m && !(m > 0)) throw new ArgumentOutOfRangeException(nameof(maxRatio), m, "expected a ratio > 0");
        RequireSameSetup(now, saved);
        if (saved.SecPerIterMedian <= 0)
            throw new InvalidDataException($"{saved.Path}: sec_per_iter_median is {saved.SecPerIterMedian}, expected seconds > 0");

        double ratio = now.SecPerIterMedian / saved.SecPerIterMedian;
        var timedNow = now.SecPerIterAll.Skip(now.Warmup).ToList();
        // Noise: either sitting's own spread; a median moves by up to that much between identical runs here.
        double margin = Math.Max(tolerance, Math.Max(Spread(timedNow), Spread(saved.TimedSecPerIter)));
        bool regressed = saved.Source == BaselineSource.Stargan && ratio > 1 + margin;
        var phases = saved.PhaseMedians is { } p
            ? new[] { ("D latent", now.PhaseMedians.DLatent, p.DLatent), ("D ref", now.PhaseMedians.DRef, p.DRef),
                      ("G latent", now.PhaseMedians.GLatent, p.GLatent), ("G ref", now.PhaseMedians.GRef, p.GRef), ("EMA", now.PhaseMedians.Ema, p.Ema) }
                .Select(t => (t.Item1, t.Item2, t.Item3, t.Item3 > 0 ? t.Item2 / t.Item3 : double.NaN)).ToList()
            : [];
        double? rss = saved.PeakRssMiB is > 0 ? now.PeakRssMiB / saved.PeakRssMiB : null;
        return new(saved.Source, ratio, margin, regressed, maxRatio, maxRatio is { } max && ratio > max, phases, rss);
    }

    /// <summary>Before spending minutes on the benchmark: the configuration's size, batch, domains and width must be
    /// the saved result's.</summary>
    public static void RequireSameConfig(int imgSize, int batchSize, int numDomains, int widthConst, BenchmarkBaseline saved)
    {
        Same(saved, "img_size", imgSize, saved.ImgSize);
        Same(saved, "batch size", batchSize, saved.BatchSize);
        Same(saved, "num_domains", numDomains, saved.NumDomains);
        if (saved.WidthConst is { } w) Same(saved, "width_const", widthConst, w);
    }

    /// <summary>A ratio between different work is meaningless: the size, batch, domains, threads and every network's
    /// parameter count (which pins the widths, also for the official JSON that has none) must agree.</summary>
    static void RequireSameSetup(TrainingBenchmarkResult now, BenchmarkBaseline saved)
    {
        RequireSameConfig(now.ImgSize, now.BatchSize, now.NumDomains, now.WidthConst, saved);
        Same(saved, "threads", now.Threads, saved.Threads);
        // The official computes in float32 on whole batches; ours may be asked to compare a bf16 or accumulated run.
        Same(saved, "train.precision", now.Precision.ToString().ToLowerInvariant(), saved.Precision);
        Same(saved, "train.accumulate", now.Accumulate, saved.Accumulate);
        foreach (var (net, count) in saved.Params)
            if (now.Params.TryGetValue(net, out long ours)) Same(saved, $"the {net}'s parameter count", ours, count);
    }

    static void Same(BenchmarkBaseline saved, string what, object nowValue, object savedValue)
    {
        if (!Equals(nowValue, savedValue))
            throw new InvalidDataException($"{saved.Path}: {what} is {savedValue} there and {nowValue} here; compare the same configuration (set it with --set)");
    }
}
