using SkiaSharp;

namespace StarGanLab.Data;

/// <summary>Turns a plan into pixels: load, draw the augmentation from the image's own seed, apply. Thread-safe.</summary>
internal sealed class BatchAssembler(IImageSource source, BatchOptions options)
{
    readonly BatchPlanner planner = new(source, options.BatchSize, options.Seed);
    readonly AugmentOptions transform = options.Transform;

    public BatchData Assemble(long batchIndex)
    {
        BatchPlan plan = planner.Plan(batchIndex);
        return new BatchData(batchIndex, options.ImgSize,
            Render(plan.Src), Labels(plan.Src), Render(plan.Ref), Render(plan.Ref2), Labels(plan.Ref));
    }

    float[] Render(PlannedImage[] images)
    {
        int per = 3 * options.ImgSize * options.ImgSize;
        var chw = new float[images.Length * per];
        for (int i = 0; i < images.Length; i++)
        {
            PlannedImage p = images[i];
            using SKBitmap bitmap = source.Load(p.Domain, p.Index);
            // A resized copy draws its crop on the original's size, so the RNG and the cropped region are the original's.
            SKSizeI drawnOn = source is IResizedImageSource resized ? resized.OriginalSize(p.Domain, p.Index) : bitmap.Info.Size;
            var rng = new DataRng(p.AugmentSeed);
            AugmentParams a = Augmentation.Draw(drawnOn.Width, drawnOn.Height, transform, ref rng);
            Augmentation.Apply(bitmap, a, options.ImgSize, chw.AsSpan(i * per, per), drawnOn);
        }
        return chw;
    }

    static long[] Labels(PlannedImage[] images) => images.Select(p => (long)p.Domain).ToArray();
}
