using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Data;

/// <summary>
/// One training batch, as the official solver's <c>inputs</c>: sources (x_src, y_src) and, drawn independently,
/// reference pairs (x_ref, x_ref2) of one domain y_ref. Images float32 NCHW in [-1, 1] on the CPU, labels int64.
/// The tensors are created outside any dispose scope of the trainer: whoever calls <see cref="IBatchSource.Next"/>
/// owns them and disposes the batch (or moves them into a scope). The latent codes z are the trainer's to draw.
/// </summary>
public sealed record Batch(Tensor XSrc, Tensor YSrc, Tensor XRef, Tensor XRef2, Tensor YRef) : IDisposable
{
    /// <summary>Position of this batch in its source's stream (0-based).</summary>
    public long Index { get; init; }

    public void Dispose()
    {
        XSrc.Dispose(); YSrc.Dispose(); XRef.Dispose(); XRef2.Dispose(); YRef.Dispose();
    }
}

/// <summary>A batch before it becomes tensors: plain arrays, so worker threads never touch libtorch.</summary>
internal sealed record BatchData(long Index, int ImgSize, float[] XSrc, long[] YSrc, float[] XRef, float[] XRef2, long[] YRef)
{
    public Batch ToTensors()
    {
        Native.TorchRuntime.EnsureLoaded();
        int n = YSrc.Length;
        long[] shape = [n, 3, ImgSize, ImgSize];
        return new Batch(
            torch.tensor(XSrc, shape, ScalarType.Float32),
            torch.tensor(YSrc, [n], ScalarType.Int64),
            torch.tensor(XRef, shape, ScalarType.Float32),
            torch.tensor(XRef2, shape, ScalarType.Float32),
            torch.tensor(YRef, [n], ScalarType.Int64))
        { Index = Index };
    }
}
