using StarGanLab.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Checkpoints;

/// <summary>
/// State dicts of TorchSharp modules, in PyTorch's terms: parameters and persistent buffers, keyed by
/// dotted path, in PyTorch's order (each module's own parameters, then its own buffers, then its
/// children), so a state dict written from a TorchSharp module lists keys as torch.save would.
/// </summary>
public static class StateDicts
{
    /// <summary>name -> the module's own tensor (not a copy), parameters and buffers, in PyTorch order.</summary>
    public static IReadOnlyDictionary<string, Tensor> Of(nn.Module module)
    {
        TorchRuntime.EnsureLoaded();
        var result = new OrderedDictionary<string, Tensor>();
        Walk(module, "", result);
        // Guard against modules whose enumeration overrides disagree with TorchSharp's own state_dict:
        // its key set is authoritative, only its order is not PyTorch's.
        var reference = module.state_dict();
        if (reference.Count != result.Count || reference.Keys.Any(k => !result.ContainsKey(k)))
        {
            result.Clear();
            foreach (var (k, v) in reference) result[k] = v;
        }
        return result;
    }

    static void Walk(nn.Module m, string prefix, OrderedDictionary<string, Tensor> into)
    {
        foreach (var (name, p) in m.named_parameters(recurse: false)) into.TryAdd(prefix + name, p);
        foreach (var (name, b) in m.named_buffers(recurse: false)) into.TryAdd(prefix + name, b);
        foreach (var (name, child) in m.named_children()) Walk(child, $"{prefix}{name}.", into);
    }

    /// <summary>
    /// Copies <paramref name="sd"/> into the module's parameters and buffers (under no_grad, converting
    /// dtype only where no value can change). Everything is checked first: if any key is missing,
    /// unexpected, mis-shaped or of an incompatible dtype, ONE <see cref="CheckpointException"/> lists them
    /// all and the module is left untouched. <paramref name="what"/> names file and network,
    /// e.g. "000000_nets.ckpt[generator]".
    /// </summary>
    public static void LoadStrict(nn.Module module, IReadOnlyDictionary<string, Tensor> sd, string what)
    {
        var target = Of(module);
        var missing = target.Keys.Where(k => !sd.ContainsKey(k)).ToList();
        var unexpected = sd.Keys.Where(k => !target.ContainsKey(k)).ToList();
        var misShaped = new List<string>();
        var badType = new List<string>();
        foreach (var (key, dst) in target)
        {
            if (!sd.TryGetValue(key, out var src)) continue;
            if (!src.shape.SequenceEqual(dst.shape))
                misShaped.Add($"{key}: checkpoint {Shape(src)} vs module {Shape(dst)}");
            else if (!IsLossless(src.dtype, dst.dtype))
                badType.Add($"{key}: checkpoint {src.dtype} cannot be converted losslessly to module {dst.dtype}");
        }
        if (missing.Count + unexpected.Count + misShaped.Count + badType.Count > 0)
        {
            var parts = new List<string>();
            if (missing.Count > 0) parts.Add($"{missing.Count} missing key(s): {string.Join(", ", missing)}");
            if (unexpected.Count > 0) parts.Add($"{unexpected.Count} unexpected key(s): {string.Join(", ", unexpected)}");
            if (misShaped.Count > 0) parts.Add($"{misShaped.Count} shape mismatch(es): {string.Join("; ", misShaped)}");
            if (badType.Count > 0) parts.Add($"{badType.Count} dtype mismatch(es): {string.Join("; ", badType)}");
            throw new CheckpointException($"{what}: the state dict does not match the module ({string.Join(". ", parts)})");
        }
        using var noGrad = torch.no_grad();
        foreach (var (key, dst) in target) dst.copy_(sd[key]);
    }

    static string Shape(Tensor t) => $"[{string.Join(", ", t.shape)}]";

    /// <summary>True when every value of <paramref name="from"/> is exactly representable in <paramref name="to"/>.</summary>
    internal static bool IsLossless(ScalarType from, ScalarType to) => from == to || (from, to) switch
    {
        (ScalarType.Float16 or ScalarType.BFloat16, ScalarType.Float32 or ScalarType.Float64) => true,
        (ScalarType.Float32, ScalarType.Float64) => true,
        (ScalarType.Int8 or ScalarType.Byte, ScalarType.Int16 or ScalarType.Int32 or ScalarType.Int64 or ScalarType.Float32 or ScalarType.Float64) => true,
        (ScalarType.Int8, ScalarType.Float16) or (ScalarType.Byte, ScalarType.Float16) => true,
        (ScalarType.Int16, ScalarType.Int32 or ScalarType.Int64 or ScalarType.Float32 or ScalarType.Float64) => true,
        (ScalarType.Int32, ScalarType.Int64 or ScalarType.Float64) => true,
        (ScalarType.Bool, ScalarType.Byte or ScalarType.Int8 or ScalarType.Int16 or ScalarType.Int32 or ScalarType.Int64) => true,
        _ => false,
    };
}
