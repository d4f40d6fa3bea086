using static TorchSharp.torch;

namespace StarGanLab.Training;

/// <summary>Adam with coupled L2 weight decay, op for op as torch.optim.Adam (single-tensor path, amsgrad off):
/// g += wd * p; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps).
/// Written here rather than using TorchSharp's optimizer so its moments are plain named tensors that our
/// checkpoint format saves and restores bit-exactly. Parameters whose grad is undefined are skipped, as in PyTorch.</summary>
public sealed class AdamL2 : IDisposable
{
    readonly (string Name, Tensor Param)[] parameters;
    readonly Dictionary<string, (Tensor ExpAvg, Tensor ExpAvgSq)> moments = new();
    readonly Dictionary<string, long> steps = new();

    public double Lr { get; }
    public double Beta1 { get; }
    public double Beta2 { get; }
    public double WeightDecay { get; }
    public double Eps { get; }

    public AdamL2(IEnumerable<(string Name, Tensor Param)> parameters, double lr, double beta1, double beta2, double weightDecay, double eps = 1e-8)
    {
        this.parameters = parameters.ToArray();
        (Lr, Beta1, Beta2, WeightDecay, Eps) = (lr, beta1, beta2, weightDecay, eps);
    }

    public void ZeroGrad()
    {
        foreach (var (_, p) in parameters) p.grad?.zero_();
    }

    public void Step()
    {
        using var _ = no_grad();
        foreach (var (name, p) in parameters)
        {
            var grad = p.grad;
            if (grad is null) continue;
            using var scope = NewDisposeScope();
            if (!moments.TryGetValue(name, out var m))
            {
                m = (zeros_like(p).DetachFromDisposeScope(), zeros_like(p).DetachFromDisposeScope());
                moments[name] = m;
            }
            long t = steps[name] = steps.GetValueOrDefault(name) + 1;
            // The same operations as torch.optim.Adam, in place where it allocates: the decayed gradient goes into
            // p.grad itself (every phase zeroes the gradients it steps before its backward, and BeforeOptimizerStep
            // has read them already) and the denominator is divided where sqrt made it; same values, two fewer
            // parameter-sized allocations per tensor and step.
            var g = WeightDecay != 0 ? grad.add_(p, alpha: WeightDecay) : grad;
            m.ExpAvg.mul_(Beta1).add_(g, alpha: 1 - Beta1);
            m.ExpAvgSq.mul_(Beta2).addcmul_(g, g, value: 1 - Beta2);
            double bc1 = 1 - Math.Pow(Beta1, t);
            double bc2 = 1 - Math.Pow(Beta2, t);
            var denom = m.ExpAvgSq.sqrt().div_(Math.Sqrt(bc2)).add_(Eps);
            p.addcdiv_(m.ExpAvg, denom, value: -Lr / bc1);
        }
    }

    /// <summary>Moments and step counts as named tensors ("&lt;param&gt;.exp_avg", ".exp_avg_sq", ".step").</summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var sd = new Dictionary<string, Tensor>();
        foreach (var (name, (avg, avgSq)) in moments)
        {
            sd[name + ".exp_avg"] = avg;
            sd[name + ".exp_avg_sq"] = avgSq;
            sd[name + ".step"] = tensor(steps[name]);
        }
        return sd;
    }

    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> sd, string what)
    {
        var known = parameters.ToDictionary(p => p.Name, p => p.Param);
        foreach (var key in sd.Keys.Where(k => k.EndsWith(".step")))
        {
            string name = key[..^".step".Length];
            if (!known.TryGetValue(name, out var p))
                throw new InvalidDataException($"{what}: optimizer state for unknown parameter '{name}'");
            var avg = sd[name + ".exp_avg"];
            var avgSq = sd[name + ".exp_avg_sq"];
            if (!avg.shape.SequenceEqual(p.shape) || !avgSq.shape.SequenceEqual(p.shape))
                throw new InvalidDataException($"{what}: optimizer moments of '{name}' have shape ({string.Join(",", avg.shape)}), parameter has ({string.Join(",", p.shape)})");
            if (moments.TryGetValue(name, out var old)) { old.ExpAvg.Dispose(); old.ExpAvgSq.Dispose(); }
            moments[name] = (avg.to(p.device).clone(), avgSq.to(p.device).clone());
            steps[name] = sd[key].item<long>();
        }
    }

    public void Dispose()
    {
        foreach (var (a, b) in moments.Values) { a.Dispose(); b.Dispose(); }
        moments.Clear();
    }
}
