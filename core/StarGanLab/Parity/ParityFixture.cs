using System.Text.Json;
using StarGanLab.Config;
using StarGanLab.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Parity;

/// <summary>A folder of numbers produced by running the official PyTorch code (layout of shared/parity/basic):
/// config.json, checkpoints, and .npy inputs and outputs.</summary>
public sealed class ParityFixture
{
    public string Dir { get; }
    public JsonElement Config { get; }
    public ModelConfig Model { get; }

    public ParityFixture(string dir)
    {
        Dir = Path.GetFullPath(dir);
        string configPath = Path.Combine(Dir, "config.json");
        if (!File.Exists(configPath))
            throw new FileNotFoundException($"{configPath}: a parity fixture folder needs config.json (layout of shared/parity/basic)", configPath);
        using var doc = JsonDocument.Parse(File.ReadAllText(configPath));
        Config = doc.RootElement.Clone();
        Model = new ModelConfig(
            ImgSize: Int("img_size"),
            NumDomains: Int("num_domains"),
            LatentDim: Int("latent_dim"),
            StyleDim: Int("style_dim"),
            WidthConst: Int("width_const", 16384),
            MaxConvDim: Int("max_conv_dim", 512),
            MappingHidden: Int("hidden_dim", 512),
            WHpf: Config.TryGetProperty("w_hpf", out var w) ? w.GetDouble() : 0);
    }

    public string Name => Config.TryGetProperty("name", out var n) ? n.GetString() ?? Path.GetFileName(Dir) : Path.GetFileName(Dir);

    public double Double(string key, double fallback) =>
        Config.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : fallback;

    int Int(string key, int? fallback = null)
    {
        if (Config.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number) return v.GetInt32();
        return fallback ?? throw new InvalidDataException($"{Path.Combine(Dir, "config.json")}: missing integer key '{key}'");
    }

    public string PathOf(string file) => Path.Combine(Dir, file);

    /// <summary>The checkpoint file of <paramref name="stem"/> (e.g. "000000_nets"): make_parity writes the zip format as
    /// <c>stem.ckpt</c> and the legacy (pre-1.6 pickle) format as <c>stem.legacy.ckpt</c>; the zip one when both exist,
    /// null when neither does.</summary>
    public string? Checkpoint(string stem) =>
        Has(stem + ".ckpt") ? stem + ".ckpt" : Has(stem + ".legacy.ckpt") ? stem + ".legacy.ckpt" : null;
    public bool Has(string file) => File.Exists(PathOf(file));

    /// <summary>The parameters a gradient file holds, in its order (grad_index.json: make_parity leaves out parameters
    /// that get no gradient, e.g. the high-pass generator's unused ones); without an index, every parameter of
    /// <paramref name="net"/> in order.</summary>
    public IReadOnlyList<string> GradientLayout(string key, nn.Module net)
    {
        if (!Has("grad_index.json")) return net.named_parameters().Select(p => p.name).ToList();
        using var doc = JsonDocument.Parse(File.ReadAllText(PathOf("grad_index.json")));
        if (!doc.RootElement.TryGetProperty(key, out var rows))
            throw new InvalidDataException($"{PathOf("grad_index.json")}: no layout for '{key}'");
        return rows.EnumerateArray().Select(r => r[0].GetString()!).ToList();
    }

    /// <summary>The gradients of <paramref name="net"/> flattened in the layout of the fixture's <paramref name="key"/>
    /// (a parameter without a gradient contributes zeros).</summary>
    public Tensor FlatGradient(string key, nn.Module net)
    {
        var byName = net.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        return cat(GradientLayout(key, net).Select(n => byName[n] is var p && p.grad is { } g ? g.flatten() : zeros(p.numel(), dtype: p.dtype)).ToArray());
    }

    /// <summary>Sets the gradients of <paramref name="net"/> from <paramref name="flat"/>, laid out as the fixture's <paramref name="key"/>;
    /// parameters the layout leaves out get none.</summary>
    public void SetGradients(string key, nn.Module net, Tensor flat)
    {
        var byName = net.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        foreach (var p in byName.Values) p.grad = null;
        long offset = 0;
        foreach (var name in GradientLayout(key, net))
        {
            var p = byName[name];
            p.grad = flat.narrow(0, offset, p.numel()).view(p.shape).to(p.dtype).clone();
            offset += p.numel();
        }
        if (offset != flat.numel())
            throw new InvalidDataException($"{Dir}: {key} holds {flat.numel()} values, its layout {offset}");
    }

    /// <summary>A tensor from &lt;name&gt;.npy.</summary>
    public Tensor Tensor(string name) => Npy.Read(PathOf(name + ".npy"));
}
