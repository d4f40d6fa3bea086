using SkiaSharp;
using StarGanLab.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Metrics.GroundTruth;

/// <summary>A synthetic image to draw: a domain (the head's shape) and the factors to draw it with.</summary>
public readonly record struct Rendering(int Domain, SyntheticFactors Factors);

/// <summary>Synthetic images as network input and their known factors as oracle targets.</summary>
public static class Renders
{
    /// <summary>(N, 3, S, S) float32 in [-1, 1], as the data pipeline feeds the networks; rendered in parallel.</summary>
    public static Tensor Images(SyntheticDomains set, IReadOnlyList<Rendering> items)
    {
        int size = set.Options.ImgSize, per = 3 * size * size;
        var x = new float[items.Count * per];
        Parallel.For(0, items.Count, k =>
        {
            using SKBitmap bitmap = set.Render(items[k].Domain, items[k].Factors);
            BitmapPixels.ToChw(bitmap, x.AsSpan(k * per, per));
        });
        return torch.tensor(x, [items.Count, 3, size, size], ScalarType.Float32);
    }

    public static Tensor Domains(IReadOnlyList<Rendering> items) =>
        torch.tensor(items.Select(r => (long)r.Domain).ToArray(), [items.Count], ScalarType.Int64);

    /// <summary>(N, 4): x, y, scale, tilt, each normalised onto [0, 1] over the range it is drawn from.</summary>
    public static Tensor Content(IEnumerable<SyntheticFactors> factors) => Rows(factors.Select(SyntheticFactorRanges.NormalizedContent));

    /// <summary>(N, 6): fur RGB then background RGB, in [0, 1].</summary>
    public static Tensor Style(IEnumerable<SyntheticFactors> factors) => Rows(factors.Select(StyleVector));

    public static Tensor Texture(IEnumerable<SyntheticFactors> factors)
    {
        long[] t = factors.Select(f => (long)f.Texture).ToArray();
        return torch.tensor(t, [t.Length], ScalarType.Int64);
    }

    public static float[] StyleVector(SyntheticFactors f) => [.. f.Fill, .. f.Background];

    static Tensor Rows(IEnumerable<float[]> rows)
    {
        float[][] r = rows.ToArray();
        int width = r.Length == 0 ? 0 : r[0].Length;
        return torch.tensor(r.SelectMany(v => v).ToArray(), [r.Length, width], ScalarType.Float32);
    }
}
