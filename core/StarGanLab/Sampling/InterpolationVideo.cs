using StarGanLab.Networks;
using StarGanLab.Training;
using static TorchSharp.torch;

namespace StarGanLab.Sampling;

/// <summary>
/// The official interpolation videos (core/utils.py video_ref, video_latent). A frame shows every source above its
/// translation, side by side; the style moves from one reference (or latent code) to the next of the same domain along
/// <see cref="InterpolationSchedule.Alphas"/>. The reference video adds, on the left, the two references sliding up
/// past each other. Frames go to the sink as they are made: memory holds one frame (and the last one, repeated at the end).
/// </summary>
public static class InterpolationVideo
{
    /// <summary>Reference-guided: one transition per pair of consecutive references of the same domain (references
    /// in domain order). Frame: (3, 2H, W + W/8 + N*W) for N sources (the official 32-pixel gap at 256 px).</summary>
    /// <returns>Frames written; 0 (nothing written) when no two consecutive references share a domain.</returns>
    public static int Reference(StarGanNets ema, Tensor xSrc, Tensor xRef, Tensor yRef, IFaceMasker? masker, IFrameSink sink)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var masks = masker?.Masks(xSrc);
        var sRef = ema.ReferenceStyle(xRef, yRef);
        long[] labels = yRef.cpu().data<long>().ToArray();
        var last = new LastFrame();
        for (int i = 1; i < labels.Length; i++)
        {
            if (labels[i] != labels[i - 1]) continue;   // the official never interpolates across domains
            using var transition = NewDisposeScope();
            var xPrev = xRef[i - 1];
            var xNext = xRef[i];
            Transition(ema, xSrc, masks, sRef[(i - 1)..i], sRef[i..(i + 1)], alpha => Slide(xPrev, xNext, alpha), sink, last);
        }
        return last.Finish(sink);
    }

    /// <summary>Transitions of the reference video for references labelled <paramref name="yRef"/>, in their order.</summary>
    public static int ReferenceTransitions(Tensor yRef)
    {
        long[] labels = yRef.cpu().data<long>().ToArray();
        return Enumerable.Range(1, Math.Max(0, labels.Length - 1)).Count(i => labels[i] == labels[i - 1]);
    }

    /// <summary>Latent-guided: for each domain (one entry of <paramref name="styles"/>, its styles (K, style_dim) in
    /// order), one transition per pair of consecutive styles. Frame: (3, 2H, N*W).</summary>
    public static int Latent(StarGanNets ema, Tensor xSrc, IReadOnlyList<Tensor> styles, IFaceMasker? masker, IFrameSink sink)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var masks = masker?.Masks(xSrc);
        var last = new LastFrame();
        foreach (var s in styles)
            for (int k = 1; k < s.size(0); k++)
            {
                using var transition = NewDisposeScope();
                Transition(ema, xSrc, masks, s[(k - 1)..k], s[k..(k + 1)], null, sink, last);
            }
        return last.Finish(sink);
    }

    /// <summary>Frames of one transition: per alpha, G(x_src, lerp(s_prev, s_next, alpha)) for every source.</summary>
    static void Transition(StarGanNets ema, Tensor xSrc, FaceMasks? masks, Tensor sPrev, Tensor sNext,
                           Func<double, Tensor>? left, IFrameSink sink, LastFrame last)
    {
        long n = xSrc.size(0), c = xSrc.size(1), h = xSrc.size(2), w = xSrc.size(3);
        foreach (double alpha in InterpolationSchedule.Alphas)
        {
            using var scope = NewDisposeScope();
            using var gcHeldOff = new Native.NoGcRegion();   // TorchSharp's implicit Scalars race the finalizer (see NoGcRegion)
            var s = lerp(sPrev, sNext, alpha).expand(n, -1);
            var xFake = ema.Generator.forward(xSrc, s, masks);
            // (N, C, 2H, W) sources above fakes -> (C, 2H, N*W), the sources side by side (make_grid, no padding)
            var strip = cat([xSrc, xFake], 2).permute(1, 2, 0, 3).reshape(c, 2 * h, n * w);
            var frame = left == null ? strip : cat([left(alpha), strip], 2);
            sink.Add(frame);
            last.Keep(frame);
        }
    }

    /// <summary>The official slide: a black (2H, W + W/8) panel; the two references stacked (previous above next)
    /// enter from the bottom, the previous one rising from the lower half (alpha 0) to the upper half (alpha 1).</summary>
    public static Tensor Slide(Tensor xPrev, Tensor xNext, double alpha)
    {
        int c = (int)xPrev.size(0), h = (int)xPrev.size(1), w = (int)xPrev.size(2);
        var canvas = full([c, 2 * h, w + Margin(w)], -1f, device: xPrev.device);
        var merged = cat([xPrev, xNext], 1);
        int top = (int)(h * (1 - alpha));    // int() truncation, as the official
        canvas[.., top.., ..w] = merged[.., ..(2 * h - top), ..];
        return canvas;
    }

    /// <summary>The gap between the sliding references and the outputs: 32 px at 256 px as the official, scaled with the size.</summary>
    public static long Margin(long width) => width / 8;

    /// <summary>Frame width of the reference video for <paramref name="sources"/> sources of width <paramref name="w"/>.</summary>
    public static long ReferenceFrameWidth(long w, long sources) => w + Margin(w) + sources * w;

    /// <summary>Holds a copy of the newest frame so the video can end on it (the official appends it 10 times).</summary>
    sealed class LastFrame
    {
        Tensor? frame;
        int count;

        public void Keep(Tensor f)
        {
            frame?.Dispose();
            frame = f.detach().clone().DetachFromDisposeScope();   // outlives the per-frame scope; disposed when replaced
            count++;
        }

        /// <summary>Repeats the newest frame; returns the video's frame count (0: there was no frame).</summary>
        public int Finish(IFrameSink sink)
        {
            if (frame is null) return 0;
            for (int i = 0; i < InterpolationSchedule.EndHoldFrames; i++) sink.Add(frame);
            frame.Dispose();
            frame = null;
            return count + InterpolationSchedule.EndHoldFrames;
        }
    }
}
