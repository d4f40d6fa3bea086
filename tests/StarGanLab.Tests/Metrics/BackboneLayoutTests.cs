using StarGanLab.Checkpoints;
using StarGanLab.Metrics;
using Xunit;

namespace StarGanLab.Tests.Metrics;

/// <summary>Our InceptionV3 and AlexNet have torchvision's state_dict keys, shapes and order (the lists in TestData
/// were written by torchvision 0.14 from randomly initialised models), so torchvision's files load strictly.</summary>
public class BackboneLayoutTests : TorchTest
{
    static List<string> Expected(string file) => File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Metrics", "TestData", file))
        .Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();

    static List<string> Actual(TorchSharp.torch.nn.Module m) =>
        StateDicts.Of(m).Select(kv => $"{kv.Key} {(kv.Value.shape.Length == 0 ? "scalar" : string.Join("x", kv.Value.shape))}").ToList();

    [Fact]
    public void InceptionV3_matches_torchvision()
    {
        using var net = new InceptionV3();
        Assert.Equal(Expected("inception_v3_keys.txt"), Actual(net));
    }

    [Fact]
    public void AlexNet_matches_torchvision()
    {
        using var net = new AlexNet(withClassifier: true);
        Assert.Equal(Expected("alexnet_keys.txt"), Actual(net));
    }
}
