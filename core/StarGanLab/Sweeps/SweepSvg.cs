using System.Globalization;
using System.Net;
using System.Text;

namespace StarGanLab.Sweeps;

/// <summary>A sweep's metrics as one static SVG for documents: a small panel per metric, the variants along the
/// bottom, each finished seed as a grey dot, the mean as a black tick with its 95% interval as a bar. Static because
/// Markdown viewers show images, not scripts; SVG because Plotly.NET's static export needs a browser (Kaleido or
/// Chromium) that is not there offline, and SkiaSharp here has no font to draw labels with, while an SVG's text is
/// drawn by whatever displays it. The interactive version is <see cref="SweepCharts"/>.</summary>
public static class SweepSvg
{
    const int PanelW = 300, PanelH = 190, Left = 56, Top = 28, Bottom = 44, Right = 12, Columns = 3;

    public static string Render(SweepSummary summary, IReadOnlyList<string> columns, string title)
    {
        var present = SweepTable.Present(summary, columns);
        if (present.Count == 0) throw new ArgumentException($"no finished run of sweep {summary.Plan.Spec.Name} has any of the columns {string.Join(", ", columns)}", nameof(columns));
        int rows = (present.Count + Columns - 1) / Columns;
        int width = PanelW * Math.Min(Columns, present.Count), height = 36 + PanelH * rows;
        var svg = new StringBuilder();
        svg.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"11\">\n");
        svg.Append($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n");
        svg.Append($"<text x=\"8\" y=\"20\" font-size=\"14\">{Esc(title)}</text>\n");
        var labels = ShortLabels(summary.Variants.Select(g => g.Label).ToList());
        for (int i = 0; i < present.Count; i++)
            Panel(svg, summary, present[i], labels, 8 + (i % Columns) * PanelW, 36 + (i / Columns) * PanelH);
        return svg.Append("</svg>\n").ToString();
    }

    public static string Write(SweepSummary summary, IReadOnlyList<string> columns, string path, string title)
    {
        IO.AtomicFile.WriteAllText(path, Render(summary, columns, title));
        return path;
    }

    /// <summary>The labels without the prefix they all share up to a '-' ("ablation-A", "ablation-B": "A", "B"), so
    /// that six of them fit under a panel.</summary>
    internal static Dictionary<string, string> ShortLabels(IReadOnlyList<string> labels)
    {
        int cut = 0;
        if (labels.Count > 1)
        {
            string first = labels[0];
            int common = labels.Skip(1).Aggregate(first.Length, (n, l) => Enumerable.Range(0, Math.Min(n, l.Length)).TakeWhile(i => l[i] == first[i]).Count());
            cut = first.LastIndexOf('-', Math.Max(0, common - 1)) + 1;
        }
        return labels.Distinct().ToDictionary(l => l, l => l[Math.Min(cut, l.Length)..] is { Length: > 0 } rest ? rest : l);
    }

    static void Panel(StringBuilder svg, SweepSummary summary, string column, Dictionary<string, string> labels, int x0, int y0)
    {
        var groups = summary.Variants.Where(g => g.Stats.ContainsKey(column)).ToList();
        var seeds = groups.Select(g => g.FinishedValues(column)).ToList();
        var all = seeds.SelectMany(v => v).Concat(groups.SelectMany(g => new[] { g.Stats[column].CiLow, g.Stats[column].CiHigh }.OfType<double>())).ToList();
        double lo = all.Min(), hi = all.Max();
        if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
        double pad = (hi - lo) * 0.08;
        (lo, hi) = (lo - pad, hi + pad);
        int plotW = PanelW - Left - Right - 8, plotH = PanelH - Top - Bottom;
        double Y(double v) => y0 + Top + plotH * (hi - v) / (hi - lo);
        double X(int i) => x0 + Left + plotW * (i + 0.5) / groups.Count;

        svg.Append($"<text x=\"{x0 + Left}\" y=\"{y0 + 16}\" font-size=\"12\">{Esc(column)}</text>\n");
        svg.Append($"<rect x=\"{x0 + Left}\" y=\"{y0 + Top}\" width=\"{plotW}\" height=\"{plotH}\" fill=\"none\" stroke=\"#bbb\"/>\n");
        // Enough digits that the three ticks differ: G3 unless the range is small against the values.
        string format = (hi - lo) < 0.01 * Math.Max(Math.Abs(hi), Math.Abs(lo)) ? "G5" : "G3";
        foreach (double tick in new[] { lo + pad, (lo + hi) / 2, hi - pad })
        {
            svg.Append($"<line x1=\"{x0 + Left - 4}\" x2=\"{x0 + Left}\" y1=\"{F(Y(tick))}\" y2=\"{F(Y(tick))}\" stroke=\"#888\"/>");
            svg.Append($"<text x=\"{x0 + Left - 6}\" y=\"{F(Y(tick) + 4)}\" text-anchor=\"end\">{Esc(tick.ToString(format, CultureInfo.InvariantCulture))}</text>\n");
        }
        for (int i = 0; i < groups.Count; i++)
        {
            var s = groups[i].Stats[column];
            double x = X(i);
            if (s.CiLow is { } a && s.CiHigh is { } b)
                svg.Append($"<line x1=\"{F(x)}\" x2=\"{F(x)}\" y1=\"{F(Y(Math.Min(b, hi)))}\" y2=\"{F(Y(Math.Max(a, lo)))}\" stroke=\"#1f77b4\" stroke-width=\"3\" opacity=\"0.45\"/>");
            for (int k = 0; k < seeds[i].Count; k++)
                svg.Append($"<circle cx=\"{F(x + 6 + 3 * k)}\" cy=\"{F(Y(seeds[i][k]))}\" r=\"2.5\" fill=\"#777\"/>");
            svg.Append($"<line x1=\"{F(x - 7)}\" x2=\"{F(x + 7)}\" y1=\"{F(Y(s.Mean))}\" y2=\"{F(Y(s.Mean))}\" stroke=\"black\" stroke-width=\"2\"/>");
            string label = labels[groups[i].Label];
            svg.Append($"<text x=\"{F(x)}\" y=\"{y0 + Top + plotH + 14}\" text-anchor=\"middle\">{Esc(label.Length > 14 ? label[^14..] : label)}</text>\n");
        }
    }

    static string F(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
    static string Esc(string text) => WebUtility.HtmlEncode(text);
}
