using StarGanLab.Checkpoints;
using StarGanLab.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Runs;

/// <summary>How one network of a new run takes a checkpoint's state dict under <see cref="DomainRule"/>: every tensor
/// of the network is accounted for (loaded whole, loaded in its first rows, or left at its He init for a domain the
/// checkpoint does not have), and every tensor of the checkpoint is either used or dropped as the head of a domain
/// the new run does not have. Anything else is an error; <see cref="Plan"/> changes nothing, <see cref="Apply"/> copies.</summary>
internal sealed class NetworkTransfer
{
    public required string Net { get; init; }
    readonly List<(Tensor Dst, Tensor Src)> whole = [];
    readonly List<(Tensor Dst, Tensor Src, long Rows)> rows = [];
    public List<string> Fresh { get; } = [];
    public List<string> Dropped { get; } = [];
    public List<string> Errors { get; } = [];
    public int Loaded => whole.Count;
    public int PartlyLoaded => rows.Count;
    public int Total { get; private set; }

    public static NetworkTransfer Plan(string net, nn.Module module, IReadOnlyDictionary<string, Tensor> sd, ModelConfig source, ModelConfig target)
    {
        var plan = new NetworkTransfer { Net = net };
        var own = StateDicts.Of(module);
        plan.Total = own.Count;
        foreach (var (key, dst) in own)
        {
            if (DomainRule.HeadOf(net, key, target) is int head && head >= source.NumDomains)
            {
                plan.Fresh.Add(key);
                continue;
            }
            if (!sd.TryGetValue(key, out var src))
            {
                plan.Errors.Add($"{key}: missing from the checkpoint (config shape {Shape(dst)})");
                continue;
            }
            if (!StateDicts.IsLossless(src.dtype, dst.dtype))
            {
                plan.Errors.Add($"{key}: checkpoint dtype {src.dtype} cannot be converted losslessly to {dst.dtype}");
                continue;
            }
            if (source.NumDomains != target.NumDomains && DomainRule.SharedRowsOf(net, key, own.Keys, target) is int shared)
            {
                bool fits = src.dim() == dst.dim() && src.shape[0] == shared + source.NumDomains && src.shape.Skip(1).SequenceEqual(dst.shape.Skip(1));
                if (fits) plan.rows.Add((dst, src, shared + Math.Min(source.NumDomains, target.NumDomains)));
                else plan.Errors.Add($"{key}: checkpoint shape {Shape(src)}, config shape {Shape(dst)} (beyond the per-domain rows)");
                continue;
            }
            if (src.shape.SequenceEqual(dst.shape)) plan.whole.Add((dst, src));
            else plan.Errors.Add($"{key}: checkpoint shape {Shape(src)}, config shape {Shape(dst)}");
        }
        foreach (var key in sd.Keys.Where(k => !own.ContainsKey(k)))
        {
            if (DomainRule.HeadOf(net, key, source) is int head && head >= target.NumDomains) plan.Dropped.Add(key);
            else plan.Errors.Add($"{key}: in the checkpoint but not in the config's network (checkpoint shape {Shape(sd[key])})");
        }
        return plan;
    }

    /// <summary>Copies what <see cref="Plan"/> found; call only when no plan of the set has errors.</summary>
    public void Apply()
    {
        if (Errors.Count > 0) throw new InvalidOperationException($"{Net}: a transfer with errors is not applied");
        using var _ = no_grad();
        foreach (var (dst, src) in whole) dst.copy_(src);
        foreach (var (dst, src, n) in rows)
        {
            using var d = dst.narrow(0, 0, n);
            using var s = src.narrow(0, 0, n);
            d.copy_(s);
        }
    }

    /// <summary>"24 of 32 tensors loaded, 8 He-initialised for new domains (head 2)" (zero counts left out).</summary>
    public string Summary()
    {
        var parts = new List<string> { $"{Loaded} of {Total} tensors loaded" };
        if (PartlyLoaded > 0) parts.Add($"{PartlyLoaded} loaded in their first {string.Join("/", rows.Select(r => r.Rows).Distinct())} rows (the domains both have), the other rows He-initialised");
        if (Fresh.Count > 0) parts.Add($"{Fresh.Count} He-initialised for new domains ({Heads(Fresh)})");
        if (Dropped.Count > 0) parts.Add($"{Dropped.Count} of the checkpoint dropped ({Heads(Dropped)})");
        return string.Join(", ", parts);
    }

    static string Heads(IEnumerable<string> keys) =>
        string.Join(", ", keys.Select(k => k.Split('.')[1]).Distinct().Select(i => $"head {i}"));

    static string Shape(Tensor t) => $"[{string.Join(", ", t.shape)}]";
}
