using StarGanLab.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace StarGanLab.Metrics;

/// <summary>LPIPS as the official metrics/lpips.py computes it (Zhang et al. 2018, "lin" variant): AlexNet ReLU
/// features of both images, each unit-normalised over channels, squared differences weighted per channel by the
/// official 1x1 linear layers, averaged over batch and space and summed over the five layers. Inputs in [-1, 1];
/// the official shifts them with mean (-0.03, -0.088, -0.188) and scale (0.458, 0.448, 0.450), ImageNet's
/// normalisation rewritten for that range. The AlexNet comes from torchvision's file (features.N; its classifier is
/// not used), the linear layers from the official file (lpips_weights.N.main.1.weight).</summary>
public sealed class Lpips : Module<Tensor, Tensor, Tensor>
{
    readonly AlexNet alexnet;
    readonly ModuleList<Sequential> lpips_weights;
    readonly Tensor shift, scale;

    public Lpips() : base("LPIPS")
    {
        alexnet = new AlexNet();
        // Dropout then a bias-free 1x1 convolution, as the official Conv1x1 (dropout is inactive in eval mode).
        lpips_weights = new ModuleList<Sequential>(AlexNet.Channels.Select(c => Sequential(("0", Dropout(0.5)), ("1", Conv2d(c, 1, 1, bias: false)))).ToArray());
        shift = tensor(new[] { -0.03f, -0.088f, -0.188f }).view(1, 3, 1, 1);
        scale = tensor(new[] { 0.458f, 0.448f, 0.450f }).view(1, 3, 1, 1);
        RegisterComponents();
    }

    /// <summary>Loads the AlexNet features from a torchvision alexnet state dict and the linear layers from the official
    /// lpips_weights.ckpt. Both are checked key by key and shape by shape.</summary>
    public static Lpips Load(string alexnetPath, string lpipsPath, Device device)
    {
        var lpips = new Lpips();
        try
        {
            var alex = OfficialCheckpoint.ReadStateDict(alexnetPath);
            LoadStrictSubset(lpips.alexnet, alex, alexnetPath, drop: "classifier.");
            var lin = OfficialCheckpoint.ReadStateDict(lpipsPath);
            var linOnly = lin.Where(kv => kv.Key.StartsWith("lpips_weights.", StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key["lpips_weights.".Length..].Replace(".main.", ".", StringComparison.Ordinal), kv => kv.Value);
            LoadStrictSubset(lpips.lpips_weights, linOnly, lpipsPath, drop: null);
            foreach (var t in alex.Values.Concat(lin.Values)) t.Dispose();
            lpips.to(device);
            lpips.eval();
            return lpips;
        }
        catch
        {
            lpips.Dispose();
            throw;
        }
    }

    /// <summary>Strict load after removing keys that start with <paramref name="drop"/> (parts of the file's network
    /// that the metric does not use).</summary>
    internal static void LoadStrictSubset(Module module, IReadOnlyDictionary<string, Tensor> sd, string what, string? drop) =>
        StateDicts.LoadStrict(module, drop == null ? sd : sd.Where(kv => !kv.Key.StartsWith(drop, StringComparison.Ordinal)).ToDictionary(), what);

    /// <summary>Mean LPIPS over the batch of the pairs (x[i], y[i]); a scalar tensor.</summary>
    public override Tensor forward(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        var xs = alexnet.call((x - shift) / scale);
        var ys = alexnet.call((y - shift) / scale);
        Tensor total = zeros(1, device: x.device);
        for (int i = 0; i < xs.Length; i++)
        {
            var d = (UnitNormalize(xs[i]) - UnitNormalize(ys[i])).square();
            total = total + ((Module<Tensor, Tensor>)lpips_weights[i]).call(d).mean();
        }
        return total.squeeze().MoveToOuterDisposeScope();
    }

    /// <summary>x / sqrt(sum_c x^2 + 1e-10), the official normalize.</summary>
    internal static Tensor UnitNormalize(Tensor x) => x * (x.square().sum(1, keepdim: true) + 1e-10).rsqrt();
}
