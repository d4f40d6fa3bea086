using StarGanLab.Data;
using TorchSharp;
using Xunit;

namespace StarGanLab.Tests.Data;

public class BatchSourceTests
{
    static readonly SyntheticDomains Synth = new(new SyntheticOptions(ImgSize: 16, PerDomain: 40, ValPerDomain: 6));

    [Fact]
    public void BalancedSamplingGivesUniformDomainFrequenciesWithUnequalFolders()
    {
        var planner = new BatchPlanner(new TestImages.SolidSource([5, 50, 500]), batchSize: 8, seed: 42);
        var srcCounts = new int[3];
        var refCounts = new int[3];
        const int batches = 1000;
        for (long b = 0; b < batches; b++)
        {
            BatchPlan plan = planner.Plan(b);
            foreach (PlannedImage p in plan.Src) srcCounts[p.Domain]++;
            foreach (PlannedImage p in plan.Ref) refCounts[p.Domain]++;
        }
        // Chi-square with 2 degrees of freedom: 13.8 is the 0.1% critical value.
        foreach (int[] counts in new[] { srcCounts, refCounts })
        {
            double expected = batches * 8 / 3.0;
            double chi2 = counts.Sum(c => (c - expected) * (c - expected) / expected);
            Assert.True(chi2 < 13.8, $"domain counts [{string.Join(", ", counts)}] give chi2 {chi2:F1}");
        }
    }

    [Fact]
    public void ReferencePairsShareADomainAndAreDistinctImages()
    {
        var planner = new BatchPlanner(new TestImages.SolidSource([2, 3, 7]), batchSize: 8, seed: 1);
        for (long b = 0; b < 300; b++)
        {
            BatchPlan plan = planner.Plan(b);
            for (int i = 0; i < 8; i++)
            {
                Assert.Equal(plan.Ref[i].Domain, plan.Ref2[i].Domain);
                Assert.NotEqual(plan.Ref[i].Index, plan.Ref2[i].Index);
            }
        }
        using var source = new BatchSource(new TestImages.SolidSource([2, 3]), new BatchOptions(ImgSize: 8, BatchSize: 6, Augment: AugmentOptions.Validation(8)));
        using Batch batch = source.Next();
        Assert.Equal(batch.YRef.data<long>().ToArray(), batch.XRef.select(1, 0).mean([1, 2]).add(1).mul(127.5f).div(40).round().to_type(torch.ScalarType.Int64).data<long>().ToArray());
        Assert.False(Same(batch.XRef, batch.XRef2));
    }

    [Fact]
    public void ADomainWithOneImageCannotMakeReferencePairs()
    {
        var ex = Assert.Throws<DataException>(() => new BatchSource(new TestImages.SolidSource([3, 1]), new BatchOptions(ImgSize: 8)));
        Assert.Contains("domain 'd1' has 1 image(s)", ex.Message);
    }

    [Fact]
    public void BatchesHaveTheOfficialShapesTypesAndRange()
    {
        using var source = new BatchSource(Synth.AsSource(Split.Train), new BatchOptions(ImgSize: 16, BatchSize: 5));
        using Batch b = source.Next();
        foreach (var x in new[] { b.XSrc, b.XRef, b.XRef2 })
        {
            Assert.Equal([5L, 3, 16, 16], x.shape);
            Assert.Equal(torch.ScalarType.Float32, x.dtype);
            Assert.True(x.min().item<float>() >= -1f && x.max().item<float>() <= 1f);
        }
        Assert.Equal(torch.ScalarType.Int64, b.YSrc.dtype);
        Assert.Equal([5L], b.YRef.shape);
        Assert.Equal(0, b.Index);
        Assert.Equal(1, source.BatchIndex);
    }

    [Fact]
    public void PrefetchingWithOneOrTwoWorkersEqualsTheSingleThreadedStream()
    {
        var opts = new BatchOptions(ImgSize: 16, BatchSize: 4, Seed: 9);
        List<Batch> reference = Take(BatchSources.Open(Synth.AsSource(Split.Train), opts with { Workers = 0 }), 6);
        foreach (int workers in new[] { 1, 2 })
        {
            List<Batch> got = Take(new PrefetchingBatchSource(Synth.AsSource(Split.Train), opts with { Workers = workers, PrefetchDepth = 3 }), 6);
            for (int i = 0; i < 6; i++) AssertSame(reference[i], got[i]);
            got.ForEach(b => b.Dispose());
        }
        reference.ForEach(b => b.Dispose());
    }

    [Fact]
    public void ResumingAtBatchNContinuesTheUninterruptedStream()
    {
        var opts = new BatchOptions(ImgSize: 16, BatchSize: 3, Seed: 4);
        List<Batch> uninterrupted = Take(new PrefetchingBatchSource(Synth.AsSource(Split.Train), opts), 7);
        using var resumed = new PrefetchingBatchSource(Synth.AsSource(Split.Train), opts, startBatch: 4);
        Assert.Equal(4, resumed.BatchIndex);
        for (int i = 4; i < 7; i++)
        {
            using Batch b = resumed.Next();
            Assert.Equal(i, b.Index);
            AssertSame(uninterrupted[i], b);
        }
        Assert.Equal(7, resumed.BatchIndex);
        uninterrupted.ForEach(b => b.Dispose());
    }

    [Fact]
    public void ValidationImagesAreTheFirstKPerDomainUnaugmented()
    {
        using LabeledImages a = ValidationImages.FirstPerDomain(Synth.AsSource(Split.Val), 2, 16);
        using LabeledImages b = ValidationImages.FirstPerDomain(Synth.AsSource(Split.Val), 2, 16);
        Assert.Equal([6L, 3, 16, 16], a.X.shape);
        Assert.Equal([0L, 0, 1, 1, 2, 2], a.Y.data<long>().ToArray());
        Assert.True(Same(a.X, b.X));
        Assert.Equal(Synth.Get(1, 1, Split.Val).Image, a.X[3].data<float>().ToArray());
    }

    static bool Same(torch.Tensor a, torch.Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    static List<Batch> Take(IBatchSource source, int n)
    {
        using (source) return Enumerable.Range(0, n).Select(_ => source.Next()).ToList();
    }

    static void AssertSame(Batch expected, Batch actual)
    {
        Assert.Equal(expected.Index, actual.Index);
        Assert.True(Same(expected.XSrc, actual.XSrc), $"x_src of batch {expected.Index} differs");
        Assert.True(Same(expected.YSrc, actual.YSrc));
        Assert.True(Same(expected.XRef, actual.XRef));
        Assert.True(Same(expected.XRef2, actual.XRef2));
        Assert.True(Same(expected.YRef, actual.YRef));
    }
}
