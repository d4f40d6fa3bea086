namespace StarGanLab.Data;

/// <summary>How training batches are drawn.</summary>
/// <param name="ImgSize">Side of every output image.</param>
/// <param name="BatchSize">Images per batch, for sources and for references alike (official default 8).</param>
/// <param name="Seed">With the batch index, fixes every random choice of a batch.</param>
/// <param name="Augment">The transform; null means the official training transform at <paramref name="ImgSize"/>.</param>
/// <param name="Workers">Decoding threads; 0 decodes on the caller's thread (see <see cref="BatchSources.Open"/>).</param>
/// <param name="PrefetchDepth">Batches prepared ahead of the consumer (at least <paramref name="Workers"/> to keep all busy).</param>
public sealed record BatchOptions(int ImgSize, int BatchSize = 8, long Seed = 777, AugmentOptions? Augment = null, int Workers = 2, int PrefetchDepth = 4)
{
    public AugmentOptions Transform => Augment ?? new AugmentOptions(ImgSize);

    public void Validate()
    {
        var errors = new List<string>();
        if (ImgSize < 1) errors.Add($"ImgSize={ImgSize} must be positive");
        if (BatchSize < 1) errors.Add($"BatchSize={BatchSize} must be positive");
        if (Workers < 0) errors.Add($"Workers={Workers} must not be negative");
        if (PrefetchDepth < 1) errors.Add($"PrefetchDepth={PrefetchDepth} must be at least 1");
        if (Augment is not null && Augment.ImgSize != ImgSize) errors.Add($"Augment.ImgSize={Augment.ImgSize} differs from ImgSize={ImgSize}");
        if (errors.Count > 0) throw new ArgumentException("invalid BatchOptions: " + string.Join("; ", errors));
    }
}
