using static TorchSharp.torch;

namespace StarGanLab.Parity;

/// <summary>One compared output. Pass when every element satisfies |ours - theirs| &lt;= Atol + Rtol * |theirs|
/// (numpy.allclose semantics).</summary>
public sealed record ParityCheck(string Group, string Name, double MaxAbs, double MaxRel, double Atol, double Rtol, bool Pass, string Note = "")
{
    public static ParityCheck Compare(string group, string name, Tensor ours, Tensor theirs, double atol, double rtol, string note = "")
    {
        using var scope = NewDisposeScope();
        if (!ours.shape.SequenceEqual(theirs.shape))
            return new ParityCheck(group, name, double.PositiveInfinity, double.PositiveInfinity, atol, rtol, false,
                $"shape ({string.Join(",", ours.shape)}) vs expected ({string.Join(",", theirs.shape)})");
        var a = ours.detach().cpu().to(float64);
        var b = theirs.detach().cpu().to(float64);
        var diff = (a - b).abs();
        double maxAbs = diff.numel() == 0 ? 0 : diff.max().item<double>();
        double maxRel = diff.numel() == 0 ? 0 : (diff / b.abs().clamp_min(1e-12)).max().item<double>();
        bool finite = a.isfinite().all().item<bool>();
        bool pass = finite && (diff <= atol + rtol * b.abs()).all().item<bool>();
        return new ParityCheck(group, name, maxAbs, maxRel, atol, rtol, pass, finite ? note : "non-finite output");
    }
}
