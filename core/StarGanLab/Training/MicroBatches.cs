using StarGanLab.Networks;
using static TorchSharp.torch;

namespace StarGanLab.Training;

/// <summary>One of the parts a batch is split into for gradient accumulation (train.accumulate), and its share of the
/// batch: every loss is a mean over the batch's samples, so a micro-batch's loss scaled by its share contributes
/// exactly its samples' part of the batch's gradient.</summary>
public sealed record MicroBatch(StepInputs Inputs, double Share);

/// <summary>Splits a step's inputs into micro-batches and joins their logged terms back into the batch's.</summary>
public static class MicroBatches
{
    /// <summary><paramref name="k"/> equal consecutive parts of every per-sample tensor of <paramref name="x"/>
    /// (views, no copies); k = 1 is the batch itself. The step's random draws (z_trg, z_trg2, the WGAN-GP mixing
    /// weights) were made for the whole batch and are sliced with it, so any k trains on the same codes.</summary>
    public static IReadOnlyList<MicroBatch> Split(StepInputs x, int k)
    {
        long batch = x.XReal.size(0);
        if (k < 1 || batch % k != 0)
            throw new ArgumentException($"train.accumulate ({k}) must be an integer >= 1 that divides the batch ({batch})", nameof(k));
        if (k == 1) return [new MicroBatch(x, 1)];
        long size = batch / k;
        return Enumerable.Range(0, k).Select(j => new MicroBatch(Slice(x, j * size, size), (double)size / batch)).ToList();
    }

    static StepInputs Slice(StepInputs x, long start, long length)
    {
        Tensor Part(Tensor t) => t.narrow(0, start, length);
        return new StepInputs(Part(x.XReal), Part(x.YOrg), Part(x.XRef), Part(x.XRef2), Part(x.YTrg), Part(x.ZTrg), Part(x.ZTrg2),
                              x.Masks is { } m ? new FaceMasks(Part(m.Coarse), Part(m.Fine)) : null,
                              x.GpAlpha?.narrow(1, start, length));   // [2, batch, 1, 1, 1]: one set per D phase
    }

    /// <summary>The batch's terms from its micro-batches': each a mean over its samples, so their share-weighted sum
    /// is the mean over the batch (up to float rounding), and logs agree whatever train.accumulate is.</summary>
    public static DLosses Join(IReadOnlyList<(DLosses Terms, double Share)> parts) => new(
        Sum(parts, d => d.Total), Sum(parts, d => d.Real), Sum(parts, d => d.Fake), Sum(parts, d => d.Reg),
        parts[0].Terms.Cls is null ? null : Sum(parts, d => d.Cls!.Value),
        parts[0].Terms.Gp is null ? null : Sum(parts, d => d.Gp!.Value));

    /// <inheritdoc cref="Join(IReadOnlyList{ValueTuple{DLosses, double}})"/>
    public static GLosses Join(IReadOnlyList<(GLosses Terms, double Share)> parts) => new(
        Sum(parts, g => g.Total), Sum(parts, g => g.Adv), Sum(parts, g => g.Sty), Sum(parts, g => g.Ds), Sum(parts, g => g.Cyc),
        parts[0].Terms.Cls is null ? null : Sum(parts, g => g.Cls!.Value));

    static double Sum<T>(IReadOnlyList<(T Terms, double Share)> parts, Func<T, double> term) =>
        parts.Sum(p => p.Share * term(p.Terms));
}
