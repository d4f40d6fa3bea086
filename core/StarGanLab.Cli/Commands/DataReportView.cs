using Spectre.Console;
using StarGanLab.Data;

namespace StarGanLab.Cli.Commands;

/// <summary>Renders a <see cref="DatasetReport"/>: the split x domain table, the published counts, then the offending files
/// (at most <c>limit</c>, with how many more), and drives a progress bar for the library's long phases.</summary>
static class DataReportView
{
    public static void Print(DatasetReport report, int limit)
    {
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(report.Spec.Name)}[/] at {Markup.Escape(report.Root)}: {report.Images} images, " +
                               $"expected {report.Spec.ImageSize}x{report.Spec.ImageSize}");
        var table = new Table().Border(TableBorder.Rounded);
        foreach (string c in new[] { "split", "domain", "expected", "found", "corrupt", "dup", "gray", "wrong size", "cross-split" })
            table.AddColumn(c is "split" or "domain" ? new TableColumn(c) : new TableColumn(c).RightAligned());
        foreach (var c in report.Cells)
        {
            bool countOff = c.Expected is int e && e != c.Found;
            table.AddRow(Markup.Escape(c.Split), Markup.Escape(c.Domain), c.Expected?.ToString() ?? "-",
                countOff ? $"[red]{c.Found}[/]" : c.Found.ToString(), Bad(c.Corrupt), Bad(c.Duplicates), Bad(c.Gray), Bad(c.WrongSize), Bad(c.CrossSplit));
        }
        AnsiConsole.Write(table);
        foreach (var c in report.Counts)
            AnsiConsole.MarkupLine($"  {(c.Ok ? "[green]ok[/]  " : "[red]off[/] ")} {Markup.Escape(c.Expected.Scope)}: {c.Found} found, " +
                                   $"{c.Expected.Count} published ([grey]{Markup.Escape(c.Expected.Source)}[/])");
        if (report.Clean)
        {
            AnsiConsole.MarkupLine("[green]no problems found[/]");
            return;
        }
        AnsiConsole.MarkupLine($"[red]{report.Problems.Count} problem(s):[/] " +
            string.Join(", ", report.Problems.GroupBy(p => p.Kind).Select(g => $"{g.Count()} {g.Key}")));
        foreach (var p in report.Problems.Take(limit))
            AnsiConsole.MarkupLine($"  [yellow]{p.Kind}[/] {Markup.Escape(Relative(report.Root, p.Path))}: {Markup.Escape(Relative(report.Root, p.Detail))}");
        if (report.Problems.Count > limit)
            AnsiConsole.MarkupLine($"  ... and {report.Problems.Count - limit} more (--list N shows more)");
    }

    static string Bad(int n) => n == 0 ? "0" : $"[red]{n}[/]";

    /// <summary>Paths under the root are shown relative to it, in details too.</summary>
    static string Relative(string root, string text) => text.Replace(root + Path.DirectorySeparatorChar, "", StringComparison.Ordinal);

    /// <summary>Runs <paramref name="work"/> with a progress callback (phase, done, total): one bar per phase on a terminal,
    /// nothing in logs.</summary>
    public static T WithProgress<T>(Func<Action<string, long, long>?, T> work)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive) return work(null);
        T result = default!;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                var gate = new object();
                result = work((phase, done, total) =>
                {
                    lock (gate)
                    {
                        if (!tasks.TryGetValue(phase, out var task)) tasks[phase] = task = ctx.AddTask(phase, maxValue: Math.Max(1, total));
                        task.Value = done;
                    }
                });
            });
        return result;
    }
}
