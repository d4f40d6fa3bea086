using StarGanLab.Config;
using static TorchSharp.torch;

namespace StarGanLab.Metrics;

/// <summary>The backbone and diversity metric an evaluation uses, and the names its numbers get: the official
/// FID / LPIPS with metrics.backbone inception, fid_resnet18 / lpips_resnet18 with the offline resnet18; with
/// metrics.backbone none neither (an evaluation then reports only its other metrics, e.g. the synthetic ground truth).</summary>
public sealed class MetricSuite(IFeatureBackbone? backbone, IDiversityMetric? diversity, string fidName) : IDisposable
{
    /// <summary>metrics.backbone none: no FID or LPIPS, so no backbone is loaded and no real statistics are computed.</summary>
    public static MetricSuite Empty => new(null, null, "");
    public bool IsEmpty => Backbone is null;
    public IFeatureBackbone? Backbone { get; } = backbone;
    public IDiversityMetric? Diversity { get; } = diversity;
    /// <summary>"FID" or "fid_resnet18" ("" when empty).</summary>
    public string FidName { get; } = fidName;
    public string LpipsName => Diversity?.Name ?? "";

    /// <summary>Opens what <paramref name="m"/> selects; a weights file that is not there is an error naming its key.</summary>
    public static MetricSuite Open(MetricsConfig m, Device device, int threads = 0)
    {
        if (m.Backbone == "none") return Empty;
        if (m.Backbone == "resnet18")
            return new MetricSuite(new Resnet18Backbone(threads), new PoolFeatureDiversity("lpips_resnet18"), "fid_resnet18");
        if (m.Backbone != "inception")
            throw new ArgumentException($"metrics.backbone: expected resnet18, inception or none, got '{m.Backbone}'");
        CheckFiles(m);
        var inception = InceptionBackbone.Load(m.InceptionWeights, device);
        try
        {
            return new MetricSuite(inception, new LpipsDiversity(Lpips.Load(m.AlexnetWeights, m.LpipsWeights, device)), "FID");
        }
        catch
        {
            inception.Dispose();
            throw;
        }
    }

    /// <summary>Checks the weight files the config names before anything long starts (DESIGN: metrics are checked
    /// when the run starts, not when it first evaluates).</summary>
    public static void CheckFiles(MetricsConfig m)
    {
        if (m.Backbone == "none") return;
        if (m.Backbone == "resnet18")
        {
            Resnet18Backbone.CheckModels(Resnet18Backbone.LocateModels());
            return;
        }
        RequireFile("metrics.inception_weights", m.InceptionWeights, "torchvision's inception_v3 ImageNet state dict");
        RequireFile("metrics.alexnet_weights", m.AlexnetWeights, "torchvision's alexnet ImageNet state dict");
        RequireFile("metrics.lpips_weights", m.LpipsWeights, "the official stargan-v2 metrics/lpips_weights.ckpt");
    }

    static void RequireFile(string key, string path, string what)
    {
        if (path.Trim().Length == 0)
            throw new ArgumentException($"{key} is not set: metrics.backbone inception needs {what} (we cannot download it); set {key} or use metrics.backbone: resnet18");
        if (!File.Exists(path))
            throw new FileNotFoundException($"{key}: '{path}' does not exist (expected {what})", path);
    }

    public void Dispose() { Backbone?.Dispose(); Diversity?.Dispose(); }
}
