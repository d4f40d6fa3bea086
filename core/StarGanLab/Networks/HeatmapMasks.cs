using static TorchSharp.torch;

namespace StarGanLab.Networks;

/// <summary>The official core/wing.py preprocess: 98 landmark heatmaps (B, 98, H, W), H = W = 256, become two masks
/// (B, 1, H, W) in [0, 1]. Heatmaps below 0.1 are cut, each is min-max normalised, facial parts are shifted
/// vertically (a cyclic roll, as the official permutation) and sharpened by a power, the face line's outer points,
/// eyebrow and lip corners are dropped, nose and eyes are spread, and the channels summed. The second mask also
/// drops the face line, eyebrows and mouth. Channel ranges are the 98-point WFLW layout.</summary>
public static class HeatmapMasks
{
    const double Threshold = 0.1;
    const double Eps = 1e-6;

    // WFLW index ranges [start, end) as the official index_map.
    static readonly (int Start, int End) Chin = (8, 25), Eyebrows = (33, 51), Nose = (51, 55), Eyes = (60, 76),
        LipEdges = (76, 82), LipInner = (88, 96);
    const int FaceLineEnd = 33, EyebrowEdgeStart = 33, EyebrowEdgeEnd = 46;

    /// <summary>(part, vertical shift in pixels at 256 px (positive = up), power), in the official order.</summary>
    static readonly (int Start, int End, int Shift, int Power)[] PartOps =
    [
        (8, 25, 0, 3),     // chin
        (33, 51, -7, 2),   // eyebrows
        (55, 60, 8, 4),    // nostrils
        (77, 82, -8, 4),   // upper lip
        (83, 88, 8, 4),    // lower lip
        (88, 96, -2, 3),   // inner lip
    ];

    public static (Tensor Coarse, Tensor Fine) FromHeatmaps(Tensor heatmaps)
    {
        using var scope = NewDisposeScope();
        long sw = heatmaps.size(2) / 256;   // shifts are given at 256 px
        var x = where(heatmaps < Threshold, zeros_like(heatmaps), heatmaps);
        x = Normalize(x).contiguous();

        foreach (var (start, end, shift, power) in PartOps)
            Set(x, start, end, Shift(Part(x, start, end), shift * sw).pow(power));

        foreach (var (start, end) in new[] { (0, Chin.Start), (Chin.End, FaceLineEnd) })
            Part(x, start, end).zero_();
        foreach (int i in new[] { EyebrowEdgeStart, EyebrowEdgeEnd, LipEdges.Start, LipEdges.End })
            Part(x, i, i + 1).zero_();

        // nose: all but the bridge's top point move 4 px up
        Set(x, Nose.Start + 1, Nose.End, Shift(Part(x, Nose.Start + 1, Nose.End), 4 * sw));

        // eyes: a sharpened copy 8 px lower plus a copy 24 px lower (both shifts are unscaled in the official)
        var eyes = Part(x, Eyes.Start, Eyes.End);
        Set(x, Eyes.Start, Eyes.End, Shift(eyes, -8).pow(3) + Shift(eyes, -24));

        var x2 = x.clone();
        Part(x2, Chin.Start, Chin.End).zero_();
        Part(x2, LipEdges.Start, LipInner.End).zero_();
        Part(x2, Eyebrows.Start, Eyebrows.End).zero_();

        var coarse = x.sum(1, keepdim: true);
        var fine = x2.sum(1, keepdim: true);
        // The official zeroes NaN in the second mask with the first mask's (already cleaned) NaN positions, so it
        // never does; both are cleaned here. NaN appears only from NaN heatmaps, so finite inputs are unaffected.
        coarse = coarse.masked_fill(coarse.isnan(), 0).clamp(0, 1);
        fine = fine.masked_fill(fine.isnan(), 0).clamp(0, 1);
        return (coarse.MoveToOuterDisposeScope(), fine.MoveToOuterDisposeScope());
    }

    /// <summary>Per (sample, channel) min-max normalisation: (x - min) / (max - min + 1e-6).</summary>
    static Tensor Normalize(Tensor x)
    {
        var flat = x.flatten(2);   // (N, C, H*W)
        var max = flat.amax([2], keepdim: true);
        var min = flat.amin([2], keepdim: true);
        return ((flat - min) / (max - min + Eps)).view_as(x);
    }

    static Tensor Part(Tensor x, int start, int end) => x.narrow(1, start, end - start);

    static void Set(Tensor x, int start, int end, Tensor value) => Part(x, start, end).copy_(value);

    /// <summary>The official shift(x, N): rows move N up (N &gt;= 0) or -N down, wrapping around.</summary>
    static Tensor Shift(Tensor x, long n) => n == 0 ? x.clone() : x.roll(-n, 2);
}
