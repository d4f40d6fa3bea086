using StarGanLab.Config;
using StarGanLab.Networks;
using static TorchSharp.torch;

namespace StarGanLab.Checkpoints;

/// <summary>Official checkpoints carry no config: recovers the architecture from tensor shapes, then proves it
/// by building networks of that architecture and matching every key and shape.</summary>
public static class OfficialModelInference
{
    public static ModelConfig Infer(IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> groups, string file)
    {
        var g = Get(groups, StarGanNets.GeneratorName, file);
        long dimIn = Shape(g, "from_rgb.weight", file)[0];
        bool hpf = g.ContainsKey("hpf.filter");
        double wHpf = hpf ? 8.0 / g["hpf.filter"][1, 1].item<float>() : 0;   // filter = Laplacian / w_hpf, centre 8
        int encodeBlocks = g.Keys.Where(k => k.StartsWith("encode.")).Select(k => k.Split('.')[1]).Distinct().Count();
        int levels = encodeBlocks - 2 - (hpf ? 1 : 0);   // two bottleneck blocks; one extra level with the high-pass path
        if (levels < 0) throw new CheckpointException($"{file}: generator has {encodeBlocks} encoder blocks, too few for StarGAN v2");
        int imgSize = 1 << (levels + 4);
        int styleDim = (int)Shape(g, "decode.0.norm1.fc.weight", file)[1];

        int numDomains = 2, latentDim = 16, hidden = 512;
        if (groups.TryGetValue(StarGanNets.MappingNetworkName, out var f))
        {
            latentDim = (int)Shape(f, "shared.0.weight", file)[1];
            hidden = (int)Shape(f, "shared.0.weight", file)[0];
            numDomains = f.Keys.Where(k => k.StartsWith("unshared.")).Select(k => k.Split('.')[1]).Distinct().Count();
        }
        else if (groups.TryGetValue(StarGanNets.StyleEncoderName, out var e))
            numDomains = e.Keys.Where(k => k.StartsWith("unshared.")).Select(k => k.Split('.')[1]).Distinct().Count();

        long maxChannels = groups.Values.SelectMany(sd => sd.Values).Where(t => t.dim() == 4).Max(t => t.shape[0]);
        var candidates = new[] { 512L, maxChannels }.Distinct()
            .Select(cap => new ModelConfig(imgSize, numDomains, latentDim, styleDim, (int)(dimIn * imgSize), (int)cap, hidden, wHpf));
        foreach (var m in candidates)
            if (Matches(m, groups)) return m;
        throw new CheckpointException($"{file}: the tensors do not form a StarGAN v2 architecture (guessed img_size {imgSize}, {numDomains} domains, style_dim {styleDim}, dim_in {dimIn}); is it a StarGAN v2 checkpoint?");
    }

    static bool Matches(ModelConfig m, IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> groups)
    {
        using var nets = StarGanNets.Create(m, withDiscriminator: groups.ContainsKey(StarGanNets.DiscriminatorName));
        foreach (var (name, module) in nets.Modules)
        {
            if (!groups.TryGetValue(name, out var sd)) continue;
            var ours = module.state_dict();
            if (ours.Count != sd.Count) return false;
            foreach (var (key, t) in ours)
                if (!sd.TryGetValue(key, out var theirs) || !theirs.shape.SequenceEqual(t.shape)) return false;
        }
        return true;
    }

    static IReadOnlyDictionary<string, Tensor> Get(IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> groups, string name, string file) =>
        groups.TryGetValue(name, out var sd) ? sd
            : throw new CheckpointException($"{file}: no '{name}' entry (found: {string.Join(", ", groups.Keys)}); expected an official NNNNNN_nets.ckpt or NNNNNN_nets_ema.ckpt");

    static long[] Shape(IReadOnlyDictionary<string, Tensor> sd, string key, string file) =>
        sd.TryGetValue(key, out var t) ? t.shape : throw new CheckpointException($"{file}: missing key '{key}'");
}
