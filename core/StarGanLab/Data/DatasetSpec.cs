namespace StarGanLab.Data;

/// <summary>A count a data set is published with: of one split and domain, of a whole split (<see cref="Domain"/> null),
/// or of the whole set (both null); with where it was published.</summary>
public sealed record ExpectedCount(string? Split, string? Domain, int Count, string Source)
{
    /// <summary>"train/cat", "train (all domains)" or "all splits".</summary>
    public string Scope => (Split, Domain) switch
    {
        (null, null) => "all splits",
        (null, { } d) => $"{d} (all splits)",
        ({ } s, null) => $"{s} (all domains)",
        ({ } s, { } d) => $"{s}/{d}",
    };

    public bool Covers(string split, string domain) => (Split is null || Split == split) && (Domain is null || Domain == domain);
}

/// <summary>What a data set looks like once unpacked: its split folders, the domain folders in each, the side of its
/// (square) images and the counts it is published with. The CLI uses <see cref="PublishedDatasets"/>; tests build small
/// ones for fabricated archives.</summary>
/// <param name="Config">The config in configs/ that trains on it, if any.</param>
public sealed record DatasetSpec(
    string Name,
    IReadOnlyList<string> Splits,
    IReadOnlyList<string> Domains,
    int ImageSize,
    IReadOnlyList<ExpectedCount> Counts,
    string? Config = null)
{
    public string Describe() => $"{Name} ({string.Join("/", Splits)} with {string.Join(", ", Domains)}; {ImageSize}x{ImageSize})";
}
