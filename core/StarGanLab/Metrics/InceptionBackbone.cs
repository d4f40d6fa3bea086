using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Metrics;

/// <summary>The official FID backbone: InceptionV3 pool features of 8-bit images resized to 299 (PIL bilinear, as
/// get_eval_loader) with ImageNet mean and std.</summary>
public sealed class InceptionBackbone(InceptionV3 net, string weightsPath, Device device) : IFeatureBackbone
{
    public const int InputSize = 299;
    static readonly float[] ImagenetMean = [0.485f, 0.456f, 0.406f], ImagenetStd = [0.229f, 0.224f, 0.225f];

    public string Name => "inception";
    public string Identity { get; } = $"inception_v3:{Path.GetFileName(weightsPath)}:{new FileInfo(weightsPath).Length}";

    public static InceptionBackbone Load(string weightsPath, Device device) => new(InceptionV3.Load(weightsPath, device), weightsPath, device);

    public Tensor Features(Tensor images)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var x = EvalPixels.Resize(images.to(ScalarType.Float32, device), InputSize) / 255;
        x = (x - tensor(ImagenetMean, device: device).view(1, 3, 1, 1)) / tensor(ImagenetStd, device: device).view(1, 3, 1, 1);
        return net.call(x).cpu().MoveToOuterDisposeScope();
    }

    public void Dispose() => net.Dispose();
}
