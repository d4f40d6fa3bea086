using static TorchSharp.torch;

namespace StarGanLab.Parity;

/// <summary>One compared output. <see cref="MaxRel"/> is the largest absolute error relative to the output's
/// scale, max|ours - theirs| / max(1, max|theirs|): elementwise relative error is meaningless for values near
/// zero, and float32 rounding grows with the magnitude of what is summed. Pass when MaxRel &lt;= Tolerance.
/// <see cref="Measures"/> holds named figures behind the verdict where there are several (the float64 gradient checks).</summary>
public sealed record ParityCheck(string Group, string Name, double MaxAbs, double MaxRel, double Scale, double Tolerance, bool Pass, string Note = "",
                                 IReadOnlyDictionary<string, double>? Measures = null)
{
    public static ParityCheck Compare(string group, string name, Tensor ours, Tensor theirs, double tolerance, string note = "")
    {
        using var scope = NewDisposeScope();
        if (!ours.shape.SequenceEqual(theirs.shape))
            return new ParityCheck(group, name, double.PositiveInfinity, double.PositiveInfinity, 0, tolerance, false,
                $"shape ({string.Join(",", ours.shape)}) vs expected ({string.Join(",", theirs.shape)})");
        var a = ours.detach().cpu().to(float64);
        var b = theirs.detach().cpu().to(float64);
        var diff = (a - b).abs();
        double maxAbs = diff.numel() == 0 ? 0 : diff.max().item<double>();
        double scale = b.numel() == 0 ? 0 : b.abs().max().item<double>();
        double maxRel = maxAbs / Math.Max(1.0, scale);
        bool finite = a.isfinite().all().item<bool>();
        bool pass = finite && maxRel <= tolerance;
        return new ParityCheck(group, name, maxAbs, maxRel, scale, tolerance, pass, finite ? note : "non-finite output");
    }
}
