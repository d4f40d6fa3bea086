using static TorchSharp.torch;

namespace StarGanLab.Networks;

/// <summary>Landmark positions from heatmaps as the official get_preds_fromhm: each heatmap's arg-max pixel, moved a
/// quarter pixel along each axis towards the higher of its two neighbours (when the peak is not on the border), in
/// pixel-centre coordinates (pixel i spans [i, i + 1), its centre is i + 0.5).</summary>
public static class HeatmapLandmarks
{
    const double Refinement = 0.25;

    /// <summary>(B, C, H, W) heatmaps -> (B, C, 2) float32 positions (x = column, y = row) in heatmap pixels.</summary>
    public static Tensor Decode(Tensor heatmaps)
    {
        using var scope = NewDisposeScope();
        long b = heatmaps.size(0), c = heatmaps.size(1), h = heatmaps.size(2), w = heatmaps.size(3);
        var flat = heatmaps.reshape(b * c, h * w);
        var idx = flat.argmax(1);
        var row = idx.div(w, rounding_mode: RoundingMode.floor);
        var col = idx.remainder(w);

        var interior = (col > 0) & (col < w - 1) & (row > 0) & (row < h - 1);
        Tensor At(Tensor r, Tensor cc) => flat.gather(1, (r.clamp(0, h - 1) * w + cc.clamp(0, w - 1)).unsqueeze(1)).squeeze(1);
        var dx = (At(row, col + 1) - At(row, col - 1)).sign();
        var dy = (At(row + 1, col) - At(row - 1, col)).sign();
        var zero = zeros_like(dx);
        dx = where(interior, dx, zero);
        dy = where(interior, dy, zero);

        var x = col.to(float32) + 0.5 + dx * Refinement;
        var y = row.to(float32) + 0.5 + dy * Refinement;
        return stack([x, y], 1).view(b, c, 2).MoveToOuterDisposeScope();
    }
}
