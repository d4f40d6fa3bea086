using StarGanLab.IO;
using StarGanLab.Networks;
using static TorchSharp.torch;

namespace StarGanLab.Alignment;

/// <summary>The official align mode (core/wing.py FaceAligner): FAN landmarks of each image, mirror padding, then the
/// similarity transform onto the mean CelebA-HQ landmarks (celeba_lm_mean.npz, given for 256 px) and a warp to
/// output_size x output_size. Deviations: the reference is scaled by output_size / 256 (the official integer division
/// collapses it to 0 below 256 px) and the warp is bicubic, not Lanczos-4 (see <see cref="ImageWarp"/>).</summary>
public sealed class FaceAligner : IDisposable
{
    const double ReferenceSize = 256;

    readonly Fan fan;
    readonly double[,] reference;
    public int OutputSize { get; }

    public FaceAligner(Fan fan, double[,] referenceAt256, int outputSize)
    {
        if (referenceAt256.GetLength(0) != Fan.NumLandmarks || referenceAt256.GetLength(1) != 2)
            throw new ArgumentException($"mean landmarks must be ({Fan.NumLandmarks}, 2), got ({referenceAt256.GetLength(0)}, {referenceAt256.GetLength(1)})");
        (this.fan, OutputSize) = (fan, outputSize);
        reference = new double[Fan.NumLandmarks, 2];
        for (int i = 0; i < Fan.NumLandmarks; i++)
            for (int j = 0; j < 2; j++) reference[i, j] = referenceAt256[i, j] * outputSize / ReferenceSize;
    }

    public static FaceAligner Load(string wingPath, string landmarksMeanPath, int outputSize, Action<string> log)
    {
        var fan = Fan.Load(wingPath, log);
        try
        {
            return new FaceAligner(fan, ReadMeanLandmarks(landmarksMeanPath), outputSize);
        }
        catch
        {
            fan.Dispose();
            throw;
        }
    }

    /// <summary>The 'mean' array of celeba_lm_mean.npz as (98, 2) doubles.</summary>
    public static double[,] ReadMeanLandmarks(string path)
    {
        // The official file holds one 784-byte array: anything much larger is refused before it is inflated.
        var arrays = Npz.Read(path, new NpzLimits(MaxEntries: 16, MaxEntryBytes: 1 << 20, MaxTotalBytes: 1 << 20));
        try
        {
            if (!arrays.TryGetValue("mean", out var mean))
                throw new InvalidDataException($"{path}: no 'mean' array (has {string.Join(", ", arrays.Keys)})");
            if (!mean.shape.SequenceEqual(new long[] { Fan.NumLandmarks, 2 }))
                throw new InvalidDataException($"{path}: 'mean' has shape ({string.Join(", ", mean.shape)}), expected ({Fan.NumLandmarks}, 2)");
            var points = ToArray(mean);
            if (FaceTransform.Problem(points) is { } problem)
                throw new InvalidDataException($"{path}: 'mean' landmarks are {problem}; expected the 98 mean CelebA-HQ landmarks (celeba_lm_mean.npz)");
            return points;
        }
        finally
        {
            foreach (var t in arrays.Values) t.Dispose();
        }
    }

    /// <summary>(B, 3, S, S) images in [-1, 1] (S = <see cref="OutputSize"/> in the official pipeline, which resizes
    /// first) -> aligned (B, 3, OutputSize, OutputSize), same range (not clamped, as the official).</summary>
    public Tensor Align(Tensor images)
    {
        using var gcHeldOff = new Native.NoGcRegion();   // see NoGcRegion: one batch of tensor work per region
        using var scope = NewDisposeScope();
        var landmarks = fan.Landmarks(images).to(float64);
        var aligned = new List<Tensor>();
        for (long i = 0; i < images.size(0); i++)
            aligned.Add(AlignOne(images[i], ToArray(landmarks[i])));
        return stack(aligned.ToArray()).to(images.dtype).MoveToOuterDisposeScope();
    }

    /// <summary>One (3, H, W) image in [-1, 1] with its (98, 2) landmarks in its pixels.</summary>
    public Tensor AlignOne(Tensor image, double[,] landmarks)
    {
        using var scope = NewDisposeScope();
        // the official goes through uint8 (truncating) before padding
        var img255 = ((image.detach().cpu().to(float64) * 0.5 + 0.5) * 255).clamp(0, 255).floor();
        var (padded, offset) = MirrorPad.Apply(img255);
        var shifted = (double[,])landmarks.Clone();
        for (int k = 0; k < shifted.GetLength(0); k++) { shifted[k, 0] += offset.X; shifted[k, 1] += offset.Y; }
        var m = FaceTransform.Estimate(shifted, reference);
        var warped = ImageWarp.Apply(padded, m, OutputSize, OutputSize);
        return (warped / 255 * 2 - 1).to(image.device).MoveToOuterDisposeScope();
    }

    static double[,] ToArray(Tensor points)
    {
        var flat = points.to(float64).cpu().contiguous().data<double>().ToArray();
        long n = points.size(0);
        var result = new double[n, 2];
        for (long i = 0; i < n; i++) { result[i, 0] = flat[2 * i]; result[i, 1] = flat[2 * i + 1]; }
        return result;
    }

    public void Dispose() => fan.Dispose();
}
