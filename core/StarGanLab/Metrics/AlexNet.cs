using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace StarGanLab.Metrics;

/// <summary>torchvision's AlexNet with its state_dict keys (features.N, classifier.N). LPIPS uses the outputs of
/// the five ReLUs of <c>features</c>; the classifier exists only so a torchvision file loads strictly and is built
/// on request (it holds 58 M of the 61 M parameters).</summary>
public sealed class AlexNet : Module<Tensor, Tensor[]>
{
    public static readonly int[] Channels = [64, 192, 384, 256, 256];

    readonly Sequential features;
    readonly Sequential? classifier;

    public AlexNet(bool withClassifier = false) : base("AlexNet")
    {
        features = Sequential(
            Conv2d(3, 64, 11, stride: 4, padding: 2), ReLU(), MaxPool2d(3, 2),
            Conv2d(64, 192, 5, padding: 2), ReLU(), MaxPool2d(3, 2),
            Conv2d(192, 384, 3, padding: 1), ReLU(),
            Conv2d(384, 256, 3, padding: 1), ReLU(),
            Conv2d(256, 256, 3, padding: 1), ReLU(), MaxPool2d(3, 2));
        if (withClassifier)
            classifier = Sequential(Dropout(0.5), Linear(256 * 6 * 6, 4096), ReLU(), Dropout(0.5), Linear(4096, 4096), ReLU(), Linear(4096, 1000));
        RegisterComponents();
    }

    /// <summary>The five ReLU feature maps of <paramref name="x"/> (ImageNet-normalised input).</summary>
    public override Tensor[] forward(Tensor x)
    {
        var maps = new List<Tensor>();
        foreach (var layer in features.children())
        {
            x = ((Module<Tensor, Tensor>)layer).call(x);
            if (layer is ReLU) maps.Add(x);
        }
        return [.. maps];
    }
}
