using System.Net;
using Plotly.NET;

namespace StarGanLab.Reports;

/// <summary>HTML pieces that work without a network: plotly.js inline (the copy Plotly.NET embeds and uses for
/// PlotlyJSReference.Full), charts that reference no script of their own, images as data: URIs. A page or a
/// notebook puts <see cref="PlotlyScript"/> once before its charts, so N charts cost one 3.6 MB plotly.js.</summary>
public static class OfflineHtml
{
    /// <summary>The plotly.js version Plotly.NET renders for (and embeds).</summary>
    public static string PlotlyVersion => Globals.PLOTLYJS_VERSION;

    static readonly Lazy<string> Script = new(() =>
    {
        var assembly = typeof(GenericChart).Assembly;
        string name = $"Plotly.NET.plotly-{PlotlyVersion}.min.js";
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{assembly.GetName()} does not embed {name}; the Plotly.NET version differs from the one this code was written for");
        string js = new StreamReader(stream).ReadToEnd();
        if (js.Contains("</script", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"{name} contains '</script' and cannot be inlined");
        return $"<script type=\"text/javascript\">{js}</script>";
    });

    /// <summary>An HTML page's start up to and including its heading: the reports' style sheet, plotly.js inline, the
    /// title (text, escaped here) and a note under it. Close it with <see cref="PageEnd"/>.</summary>
    public static string PageStart(string title, string note)
    {
        string t = Escape(title);
        return $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>{{t}}</title>
            <style>
              body { font-family: system-ui, sans-serif; margin: 24px; color: #222; }
              h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
              pre { background: #f6f8fa; padding: 12px; font-size: 12px; overflow-x: auto; }
              figure { display: inline-block; margin: 0 16px 16px 0; vertical-align: top; }
              figcaption { font-size: 12px; color: #555; }
              table.sgl { border-collapse: collapse; font-size: 13px; }
              table.sgl td, table.sgl th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
              .note { color: #666; }
            </style>
            {{PlotlyScript()}}
            </head>
            <body>
            <h1>{{t}}</h1>
            <p class="note">{{Escape(note)}}</p>

            """;
    }

    public const string PageEnd = "</body>\n</html>\n";

    /// <summary>A script element holding all of plotly.js.</summary>
    public static string PlotlyScript() => Script.Value;

    /// <summary>The chart's div and the script that draws it into the div, expecting window.Plotly
    /// (<see cref="PlotlyScript"/>) to be loaded already.</summary>
    public static string Chart(GenericChart chart)
    {
        var options = DisplayOptions.setPlotlyReference(PlotlyJSReference.NoReference).Invoke(new DisplayOptions());
        return GenericChart.toChartHTML(Plotly.NET.Chart.withDisplayOptions(options).Invoke(chart));
    }

    /// <summary>The PNG at <paramref name="path"/> as an img element with a data: URI, captioned with its file name,
    /// drawn <paramref name="scale"/> times its size with square pixels (32 px grids are small on a screen).</summary>
    public static string Image(string path, double scale = 1)
    {
        byte[] png = File.ReadAllBytes(path);
        // PNG: 8-byte signature, IHDR length and type (8 bytes), then width and height as big-endian uint32
        if (png.Length < 24 || !png.AsSpan(12, 4).SequenceEqual("IHDR"u8))
            throw new InvalidDataException($"{path} is not a PNG file");
        long width = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(16, 4));
        string name = Escape(Path.GetFileName(path));
        return $"<figure><img src=\"data:image/png;base64,{Convert.ToBase64String(png)}\" alt=\"{name}\" width=\"{(long)Math.Round(width * scale)}\" " +
               $"style=\"image-rendering: pixelated\"/><figcaption>{name}</figcaption></figure>";
    }

    /// <summary>A plain table; cells are text and get escaped.</summary>
    public static string Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var html = new System.Text.StringBuilder("<table class=\"sgl\"><thead><tr>");
        foreach (var h in header) html.Append("<th>").Append(Escape(h)).Append("</th>");
        html.Append("</tr></thead><tbody>");
        foreach (var row in rows)
        {
            html.Append("<tr>");
            foreach (var cell in row) html.Append("<td>").Append(Escape(cell)).Append("</td>");
            html.Append("</tr>");
        }
        return html.Append("</tbody></table>").ToString();
    }

    public static string Preformatted(string text) => $"<pre>{Escape(text)}</pre>";

    public static string Escape(string text) => WebUtility.HtmlEncode(text);
}
