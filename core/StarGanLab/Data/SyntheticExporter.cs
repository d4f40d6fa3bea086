using System.Text.Json;
using SkiaSharp;

namespace StarGanLab.Data;

/// <summary>Writes a split of the synthetic set as PNG files in the ImageFolder layout, with the known factors beside them.</summary>
internal static class SyntheticExporter
{
    public const string FactorsFile = "factors.jsonl";

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static void Export(SyntheticDomains set, string dir, int perDomain, Split split)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perDomain, 1);
        for (int d = 0; d < set.DomainNames.Count; d++)
        {
            string domainDir = Path.Combine(dir, set.DomainNames[d]);
            Directory.CreateDirectory(domainDir);
            var lines = new string[perDomain];
            Parallel.For(0, perDomain, i =>
            {
                SyntheticFactors f = set.FactorsAt(d, i, split);
                string file = $"{i:D5}.png";
                using (SKBitmap bitmap = set.Render(d, f))
                using (SKData png = bitmap.Encode(SKEncodedImageFormat.Png, 100))
                using (FileStream fs = File.Create(Path.Combine(domainDir, file)))
                    png.SaveTo(fs);
                lines[i] = JsonSerializer.Serialize(new FactorsLine(file, set.DomainNames[d], d, i, split.ToString().ToLowerInvariant(), f), Json);
            });
            File.WriteAllLines(Path.Combine(domainDir, FactorsFile), lines);
        }
    }

    sealed record FactorsLine(string File, string Domain, int Label, int Index, string Split, SyntheticFactors Factors);
}
