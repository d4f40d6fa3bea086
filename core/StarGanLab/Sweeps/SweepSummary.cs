using System.Globalization;
using System.Text;
using StarGanLab.Reports;

namespace StarGanLab.Sweeps;

/// <summary>One run's final numbers.</summary>
/// <param name="Values">Column name to value: the latest evaluation (metrics.jsonl) and the last logged losses.</param>
public sealed record SummaryRow(SweepRun Run, RunState State, long Step, IReadOnlyDictionary<string, double> Values);

/// <summary>Mean and sample standard deviation (n - 1) of one column over a variant's finished seeds; Std is null
/// for a single value.</summary>
public sealed record SummaryStat(double Mean, double? Std, int N)
{
    /// <summary>Half-width of the 95% confidence interval of the mean, Student's t with N - 1 degrees of freedom
    /// (seeds are few, so the normal 1.96 would be too narrow: 4.30 at 3 seeds); null for a single value.</summary>
    public double? Ci95 => Std is { } sd ? StudentT.Quantile975(N - 1) * sd / Math.Sqrt(N) : null;

    public double? CiLow => Ci95 is { } h ? Mean - h : null;
    public double? CiHigh => Ci95 is { } h ? Mean + h : null;
}

/// <summary>The runs of one variant (they differ only in the seed) and their statistics over finished runs.</summary>
/// <param name="Label">How tables name it: its axis overrides, "(base)" for none, and with several base configs the
/// variant's name (config name and overrides).</param>
public sealed record SummaryGroup(string Variant, string Label, IReadOnlyList<string> AxisOverrides, IReadOnlyList<SummaryRow> Rows,
    IReadOnlyDictionary<string, SummaryStat> Stats)
{
    public int Finished => Rows.Count(r => r.State == RunState.Finished);

    /// <summary>The finished runs' values of <paramref name="column"/>, in seed order: what <see cref="Stats"/> summarises.</summary>
    public IReadOnlyList<double> FinishedValues(string column) => FinishedValues(Rows, column);

    internal static IReadOnlyList<double> FinishedValues(IEnumerable<SummaryRow> rows, string column) =>
        [.. rows.Where(r => r.State == RunState.Finished && r.Values.ContainsKey(column)).Select(r => r.Values[column])];
}

/// <summary>A sweep's results table: per run, the newest evaluation metrics and the final losses; per variant, their
/// mean and standard deviation over seeds. Only finished runs enter the statistics (an interrupted run's last
/// losses are from another step). Written as summary.md, summary.csv (variants) and runs.csv (runs).</summary>
public sealed class SweepSummary
{
    /// <summary>losses.jsonl fields that are bookkeeping, not results.</summary>
    static readonly string[] NotResults = ["s_per_iter", "data_wait_s_per_iter", "G/lambda_ds"];

    public SweepPlan Plan { get; }
    /// <summary>Metric columns first (metrics.jsonl, in first-seen order), then loss columns.</summary>
    public IReadOnlyList<string> Columns { get; }
    public IReadOnlyList<SummaryRow> Runs { get; }
    public IReadOnlyList<SummaryGroup> Variants { get; }

    SweepSummary(SweepPlan plan, IReadOnlyList<string> columns, IReadOnlyList<SummaryRow> runs)
    {
        (Plan, Columns, Runs) = (plan, columns, runs);
        bool severalBases = plan.Spec.Bases.Count > 1;
        Variants = [.. runs.GroupBy(r => r.Run.Variant).Select(g => new SummaryGroup(g.Key, Label(g.Key, g.First().Run.AxisOverrides, severalBases), g.First().Run.AxisOverrides, [.. g],
            columns.Select(c => (c, Stat(SummaryGroup.FinishedValues(g, c))))
                   .Where(s => s.Item2 is not null).ToDictionary(s => s.c, s => s.Item2!)))];
    }

    static string Label(string variant, IReadOnlyList<string> overrides, bool severalBases) =>
        severalBases ? variant : overrides.Count == 0 ? "(base)" : string.Join(", ", overrides);

    public static SweepSummary Build(SweepPlan plan)
    {
        var metricColumns = new List<string>();
        var lossColumns = new List<string>();
        var rows = new List<SummaryRow>();
        foreach (var run in plan.Runs)
        {
            var status = RunStatus.Inspect(plan.Folder, run);
            var values = new Dictionary<string, double>();
            string dir = plan.RunDirectory(run);
            if (File.Exists(Path.Combine(dir, StarGanLab.Runs.RunDirectory.ConfigFileName)) && status.State != RunState.Conflict)
            {
                var final = RunResults.Load(dir).Final;
                foreach (var (name, value) in final.Metrics) Add(values, metricColumns, name, value);
                foreach (var (name, value) in final.Losses.Where(l => !NotResults.Contains(l.Key))) Add(values, lossColumns, name, value);
            }
            rows.Add(new SummaryRow(run, status.State, status.Step, values));
        }
        return new SweepSummary(plan, [.. metricColumns, .. lossColumns.Where(c => !metricColumns.Contains(c))], rows);
    }

    static void Add(Dictionary<string, double> values, List<string> columns, string name, double value)
    {
        values[name] = value;
        if (!columns.Contains(name)) columns.Add(name);
    }

    static SummaryStat? Stat(IReadOnlyList<double> xs)
    {
        if (xs.Count == 0) return null;
        double mean = xs.Average();
        double? std = xs.Count < 2 ? null : Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1));
        return new SummaryStat(mean, std, xs.Count);
    }

    // ---- output ----

    /// <summary>Writes summary.md, summary.csv and runs.csv into the sweep folder (atomically, each).</summary>
    public void Write()
    {
        IO.AtomicFile.WriteAllText(Plan.Folder.SummaryMarkdown, Markdown());
        IO.AtomicFile.WriteAllText(Plan.Folder.SummaryCsv, VariantsCsv());
        IO.AtomicFile.WriteAllText(Plan.Folder.RunsCsv, RunsCsv());
    }

    /// <summary>One row per variant: variant, overrides, seeds, finished, then COLUMN_mean, COLUMN_std and COLUMN_ci95
    /// (the half-width of the 95% interval of the mean) per column.</summary>
    public string VariantsCsv()
    {
        var lines = new List<IEnumerable<string>>
        {
            new[] { "variant", "overrides", "runs", "finished" }.Concat(Columns.SelectMany(c => new[] { c + "_mean", c + "_std", c + "_ci95" })),
        };
        foreach (var g in Variants)
            lines.Add(new[] { g.Variant, string.Join(" ", g.AxisOverrides), g.Rows.Count.ToString(CultureInfo.InvariantCulture), g.Finished.ToString(CultureInfo.InvariantCulture) }
                .Concat(Columns.SelectMany(c => g.Stats.TryGetValue(c, out var s)
                    ? new[] { Exact(s.Mean), s.Std is { } sd ? Exact(sd) : "", s.Ci95 is { } h ? Exact(h) : "" }
                    : ["", "", ""])));
        return Csv(lines);
    }

    /// <summary>One row per run: index, name, variant, seed, state, step, then one column per value.</summary>
    public string RunsCsv()
    {
        var lines = new List<IEnumerable<string>> { new[] { "index", "run", "variant", "seed", "state", "step" }.Concat(Columns) };
        foreach (var r in Runs)
            lines.Add(new[] { r.Run.Index.ToString(CultureInfo.InvariantCulture), r.Run.Name, r.Run.Variant,
                    r.Run.Seed?.ToString(CultureInfo.InvariantCulture) ?? "", State(r.State), r.Step.ToString(CultureInfo.InvariantCulture) }
                .Concat(Columns.Select(c => r.Values.TryGetValue(c, out var v) ? Exact(v) : "")));
        return Csv(lines);
    }

    public string Markdown()
    {
        var spec = Plan.Spec;
        int finished = Runs.Count(r => r.State == RunState.Finished);
        var md = new StringBuilder();
        md.AppendLine($"# Sweep {spec.Name}").AppendLine();
        md.AppendLine($"{Runs.Count} runs, {finished} finished, under `{Plan.Folder.Root}`; base{(spec.Bases.Count > 1 ? "s" : "")} {string.Join(", ", spec.Bases.Select(b => $"`{b}`"))}" +
                      (spec.Seeds.Count > 0 ? $"; seeds {string.Join(", ", spec.Seeds)}" : "") + ".");
        md.AppendLine("Values: the final results (the last evaluation in metrics.jsonl and the last logged losses in losses.jsonl) " +
                      "of finished runs; mean ± sample standard deviation over seeds, then the 95% confidence interval of the mean " +
                      "in brackets (Student's t; wide at few seeds: two variants whose intervals overlap are not shown to differ).").AppendLine();
        md.AppendLine(QualityLine()).AppendLine();
        md.AppendLine(Row(new[] { "variant", "finished" }.Concat(Columns)));
        md.AppendLine(Row(Enumerable.Repeat("---", Columns.Count + 2)));
        foreach (var g in Variants)
            md.AppendLine(Row(new[] { Cell(g.Label), $"{g.Finished}/{g.Rows.Count}" }
                .Concat(Columns.Select(c => g.Stats.TryGetValue(c, out var s) ? Format(s) : ""))));
        md.AppendLine().AppendLine("## Runs").AppendLine();
        md.AppendLine(Row(new[] { "run", "state", "step" }.Concat(Columns)));
        md.AppendLine(Row(Enumerable.Repeat("---", Columns.Count + 3)));
        foreach (var r in Runs)
            md.AppendLine(Row(new[] { Cell(r.Run.Name), State(r.State), $"{r.Step}/{r.Run.Config.Train.TotalIters}" }
                .Concat(Columns.Select(c => r.Values.TryGetValue(c, out var v) ? Short(v) : ""))));
        return md.ToString();
    }

    /// <summary>"Quality: FID_latent/mean (lower is better), best first: a, b" or why there is no ranking.</summary>
    public string QualityLine()
    {
        if (Quality.For(Columns) is not { } q) return "Quality: " + Quality.NoneAvailable + ".";
        var ranked = Variants.Where(g => g.Stats.ContainsKey(q.Key))
            .OrderBy(g => q.HigherIsBetter ? -g.Stats[q.Key].Mean : g.Stats[q.Key].Mean)
            .Select(g => g.Label);
        return $"Quality: {q.Key} ({q.Better} is better), variants best first: {Cell(string.Join("; ", ranked))}.";
    }

    /// <summary>"0.912 ± 0.012 [0.882, 0.942]": mean ± std [95% interval], or the mean alone for one seed.</summary>
    public static string Format(SummaryStat s) =>
        Short(s.Mean) + (s.Std is { } sd ? $" ± {Short(sd)} [{Short(s.CiLow!.Value)}, {Short(s.CiHigh!.Value)}]" : "");

    static string State(RunState s) => s.ToString().ToLowerInvariant();
    static string Exact(double v) => v.ToString("R", CultureInfo.InvariantCulture);
    static string Short(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
    static string Row(IEnumerable<string> cells) => "| " + string.Join(" | ", cells) + " |";
    static string Cell(string text) => text.Replace("|", "\\|");

    // RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. Writing only, so no library.
    static string Csv(IEnumerable<IEnumerable<string>> lines) =>
        string.Concat(lines.Select(l => string.Join(",", l.Select(f => f.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + f.Replace("\"", "\"\"") + "\"" : f)) + "\n"));
}
