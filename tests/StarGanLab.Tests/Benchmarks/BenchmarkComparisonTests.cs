using System.Text.Json;
using StarGanLab.Benchmarks;
using StarGanLab.Config;
using Xunit;

namespace StarGanLab.Tests.Benchmarks;

/// <summary>`stargan bench --compare`: reading both saved formats, refusing what cannot be compared, and the
/// regression verdict against the noise of the two sittings.</summary>
public sealed class BenchmarkComparisonTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("bench-compare-").FullName;
    public void Dispose() => Directory.Delete(dir, recursive: true);

    static readonly Dictionary<string, long> Params = new() { ["generator"] = 1000, ["mapping_network"] = 200, ["style_encoder"] = 300, ["discriminator"] = 400 };

    static TrainingBenchmarkResult Result(double[] timed, int warmup = 1, int imgSize = 64, int batch = 8, int threads = 2,
                                          int width = 4096, Dictionary<string, long>? parameters = null, int accumulate = 1,
                                          ComputePrecision precision = ComputePrecision.Fp32)
    {
        var sorted = timed.Order().ToArray();
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return new(imgSize, batch, 2, width, 0, threads, warmup, timed.Length, median, sorted[0],
                   Enumerable.Repeat(9.0, warmup).Concat(timed).ToList(),
                   new PhaseTimes(median * 0.2, median * 0.2, median * 0.3, median * 0.3, 0.01), 1700, 500, 500, parameters ?? Params,
                   accumulate, precision);
    }

    string Save(TrainingBenchmarkResult r) => Write("ours.json", JsonSerializer.Serialize(new { train = r, data = (object?)null }, TrainingBenchmark.Json));

    string Write(string name, string text)
    {
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    // bench_official.py: progress on stderr, one JSON object last (a saved log of both streams has the lines first).
    string Official(double median, double[] all, int threads = 2, long generator = 1000) => Write("official.json",
        "iteration 0: 9.000 s\n" + JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["mode"] = "train", ["img_size"] = 64, ["batch"] = 8, ["w_hpf"] = 0, ["num_domains"] = 2, ["warmup"] = 1, ["iters"] = all.Length - 1,
            ["sec_per_iter_median"] = median, ["sec_per_iter_min"] = all.Skip(1).Min(), ["sec_per_iter_all"] = all, ["max_rss_mb"] = 2280.5,
            ["params"] = new Dictionary<string, long>(Params) { ["generator"] = generator }, ["torch_version"] = "1.13.0", ["threads"] = threads
        }) + "\n");

    [Fact]
    public void Our_saved_result_reads_back_with_its_timed_iterations_and_phases()
    {
        var saved = BenchmarkBaseline.Load(Save(Result([4.0, 4.2, 4.1], warmup: 2)));
        Assert.Equal(BaselineSource.Stargan, saved.Source);
        Assert.Equal((64, 8, 2, 4096, 2), (saved.ImgSize, saved.BatchSize, saved.NumDomains, saved.WidthConst!.Value, saved.Threads));
        Assert.Equal([4.0, 4.2, 4.1], saved.TimedSecPerIter);   // the two warm-up iterations are not timings
        Assert.Equal(4.1, saved.SecPerIterMedian);
        Assert.Equal(4.1 * 0.3, saved.PhaseMedians!.GRef, 12);
        Assert.Equal(1700, saved.PeakRssMiB);
        Assert.Equal(Params, saved.Params);
    }

    [Fact]
    public void The_official_harness_result_reads_after_its_progress_lines()
    {
        var saved = BenchmarkBaseline.Load(Official(8.0, [9.5, 7.9, 8.0, 8.4]));
        Assert.Equal(BaselineSource.Official, saved.Source);
        Assert.Equal([7.9, 8.0, 8.4], saved.TimedSecPerIter);
        Assert.Null(saved.WidthConst);
        Assert.Null(saved.PhaseMedians);
        Assert.Equal(2280.5, saved.PeakRssMiB);
    }

    [Fact]
    public void Unreadable_files_are_refused_naming_the_file_and_the_key()
    {
        var missing = Path.Combine(dir, "nope.json");
        Assert.Contains($"{missing}: no such file", Assert.Throws<InvalidDataException>(() => BenchmarkBaseline.Load(missing)).Message);
        var garbage = Write("garbage.json", "{ not json");
        Assert.Contains($"{garbage}: not JSON", Assert.Throws<InvalidDataException>(() => BenchmarkBaseline.Load(garbage)).Message);
        var noPhase = Write("nophase.json", Save(Result([4.0])) is var p ? File.ReadAllText(p).Replace("\"g_ref\"", "\"g_rf\"") : "");
        Assert.Contains("key 'train.phase_medians.g_ref' is missing", Assert.Throws<InvalidDataException>(() => BenchmarkBaseline.Load(noPhase)).Message);
        var peak = Write("peak.json", "{\"mode\": \"peak\"}");
        Assert.Contains("key 'mode' is \"peak\", expected \"train\"", Assert.Throws<InvalidDataException>(() => BenchmarkBaseline.Load(peak)).Message);
        var other = Write("other.json", "{\"loss\": 1}");
        Assert.Contains("neither", Assert.Throws<InvalidDataException>(() => BenchmarkBaseline.Load(other)).Message);
        var negative = Write("negative.json", File.ReadAllText(Save(Result([4.0]))).Replace("\"sec_per_iter_median\":4", "\"sec_per_iter_median\":-4"));
        Assert.Contains("key 'train.sec_per_iter_median' is -4", Assert.Throws<InvalidDataException>(() => BenchmarkBaseline.Load(negative)).Message);
    }

    [Fact]
    public void A_slowdown_beyond_both_sittings_spread_is_a_regression_and_one_within_it_is_not()
    {
        var saved = BenchmarkBaseline.Load(Save(Result([4.0, 4.1, 4.2])));   // spread 0.2 / 4.1 = 4.9%: the 10% floor applies
        var slightly = BenchmarkComparison.Of(Result([4.4, 4.5, 4.5]), saved);
        Assert.Equal(4.5 / 4.1, slightly.Ratio, 12);
        Assert.Equal(0.10, slightly.Margin, 12);
        Assert.False(slightly.Failed);
        var slower = BenchmarkComparison.Of(Result([4.6, 4.6, 4.7]), saved);
        Assert.True(slower.Regressed);
        // A noisy sitting widens the margin to its own spread, so the same median is no longer called a regression.
        var noisy = BenchmarkComparison.Of(Result([3.9, 4.6, 5.0]), saved);
        Assert.Equal((5.0 - 3.9) / 4.6, noisy.Margin, 12);
        Assert.False(noisy.Regressed);
        Assert.False(BenchmarkComparison.Of(Result([3.0, 3.1, 3.2]), saved).Failed);   // faster is never a regression
        Assert.Equal(0.3 * 4.6 / (0.3 * 4.1), slower.Phases.Single(p => p.Phase == "G ref").Ratio, 12);
    }

    [Fact]
    public void Against_the_official_it_is_a_ratio_with_an_optional_bound()
    {
        var official = BenchmarkBaseline.Load(Official(8.0, [9.5, 7.9, 8.0, 8.4]));
        var c = BenchmarkComparison.Of(Result([4.0, 4.2, 4.4]), official);
        Assert.Equal(4.2 / 8.0, c.Ratio, 12);
        Assert.False(c.Failed);   // twice the official's time would not be a "regression" of ours
        Assert.Empty(c.Phases);   // the official JSON has no phases
        Assert.Equal(1700 / 2280.5, c.PeakRssRatio!.Value, 12);
        Assert.True(BenchmarkComparison.Of(Result([4.0, 4.2, 4.4]), official, maxRatio: 0.5).AboveMaxRatio);
        Assert.False(BenchmarkComparison.Of(Result([4.0, 4.2, 4.4]), official, maxRatio: 0.55).Failed);
    }

    [Fact]
    public void Different_work_is_refused_naming_what_differs()
    {
        var saved = BenchmarkBaseline.Load(Save(Result([4.0])));
        Assert.Contains("img_size is 64 there and 128 here", Assert.Throws<InvalidDataException>(() => BenchmarkComparison.Of(Result([4.0], imgSize: 128), saved)).Message);
        Assert.Contains("threads is 2 there and 1 here", Assert.Throws<InvalidDataException>(() => BenchmarkComparison.Of(Result([4.0], threads: 1), saved)).Message);
        Assert.Contains("width_const is 4096 there and 16384 here", Assert.Throws<InvalidDataException>(() => BenchmarkComparison.Of(Result([4.0], width: 16384), saved)).Message);
        Assert.Contains("train.precision is fp32 there and bf16 here",
            Assert.Throws<InvalidDataException>(() => BenchmarkComparison.Of(Result([4.0], precision: ComputePrecision.Bf16), saved)).Message);
        Assert.Contains("train.accumulate is 1 there and 2 here",
            Assert.Throws<InvalidDataException>(() => BenchmarkComparison.Of(Result([4.0], accumulate: 2), saved)).Message);
        var bf16 = BenchmarkBaseline.Load(Save(Result([4.0], precision: ComputePrecision.Bf16, accumulate: 2)));
        Assert.Equal(("bf16", 2), (bf16.Precision, bf16.Accumulate));   // written as the config spells it, and read back
        // The official JSON has no width: the parameter counts tell whether the networks are the same.
        var official = BenchmarkBaseline.Load(Official(8.0, [9.5, 7.9], generator: 4000));
        Assert.Contains("the generator's parameter count is 4000 there and 1000 here",
            Assert.Throws<InvalidDataException>(() => BenchmarkComparison.Of(Result([4.0]), official)).Message);
        Assert.Contains("batch size is 8 there and 4 here",
            Assert.Throws<InvalidDataException>(() => BenchmarkComparison.RequireSameConfig(64, 4, 2, 4096, saved)).Message);
    }
}
