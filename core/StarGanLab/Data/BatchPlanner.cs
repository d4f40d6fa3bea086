namespace StarGanLab.Data;

/// <summary>Which image to load and the seed of its augmentation.</summary>
internal readonly record struct PlannedImage(int Domain, int Index, ulong AugmentSeed);

/// <summary>The random choices of one batch, fixed before any decoding.</summary>
internal sealed record BatchPlan(long Index, PlannedImage[] Src, PlannedImage[] Ref, PlannedImage[] Ref2);

/// <summary>
/// Class-balanced sampling as the official make_balanced_sampler (WeightedRandomSampler with weights 1/count of the
/// sample's domain, with replacement): every domain then carries total weight 1, so drawing the domain uniformly and
/// an image uniformly inside it is the same distribution. References are the official ReferenceDataset's pairs,
/// except that x_ref2 is always a different image than x_ref (the official random permutation can pair an image
/// with itself, which makes the diversity target degenerate).
/// </summary>
internal sealed class BatchPlanner
{
    readonly int[] counts;
    readonly int batchSize;
    readonly long seed;

    public BatchPlanner(IImageSource source, int batchSize, long seed)
    {
        counts = Enumerable.Range(0, source.DomainNames.Count).Select(source.Count).ToArray();
        for (int d = 0; d < counts.Length; d++)
            if (counts[d] < 2)
                throw new DataException($"domain '{source.DomainNames[d]}' has {counts[d]} image(s); reference pairs need at least 2 per domain");
        this.batchSize = batchSize;
        this.seed = seed;
    }

    public BatchPlan Plan(long batchIndex)
    {
        var rng = DataRng.For(seed, batchIndex);
        var src = new PlannedImage[batchSize];
        var ref1 = new PlannedImage[batchSize];
        var ref2 = new PlannedImage[batchSize];
        for (int i = 0; i < batchSize; i++)
        {
            int d = rng.NextInt(counts.Length);
            src[i] = new PlannedImage(d, rng.NextInt(counts[d]), rng.NextULong());
        }
        for (int i = 0; i < batchSize; i++)
        {
            int d = rng.NextInt(counts.Length);
            int a = rng.NextInt(counts[d]);
            int b = rng.NextInt(counts[d] - 1);
            if (b >= a) b++;                           // uniform over the other images of the domain
            ref1[i] = new PlannedImage(d, a, rng.NextULong());
            ref2[i] = new PlannedImage(d, b, rng.NextULong());
        }
        return new BatchPlan(batchIndex, src, ref1, ref2);
    }
}
