using StarGanLab.Checkpoints;
using StarGanLab.Metrics;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Metrics;

/// <summary>LPIPS with random AlexNet and linear weights written by the test in torchvision's and the official layout.</summary>
public class LpipsTests : TorchTest
{
    static Lpips RandomLpips(string dir)
    {
        manual_seed(3);
        using var alex = new AlexNet(withClassifier: false);
        string alexPath = Path.Combine(dir, "alexnet.pth"), linPath = Path.Combine(dir, "lpips_weights.ckpt");
        OfficialCheckpoint.Write(alexPath, new Dictionary<string, IReadOnlyDictionary<string, Tensor>> { [""] = StateDicts.Of(alex) });
        // Positive weights, as trained LPIPS linear layers are (the official clamps them at 0).
        var lin = AlexNet.Channels.Select((c, i) => ($"lpips_weights.{i}.main.1.weight", rand(1, c, 1, 1))).ToDictionary(p => p.Item1, p => p.Item2);
        OfficialCheckpoint.Write(linPath, new Dictionary<string, IReadOnlyDictionary<string, Tensor>> { [""] = lin });
        return Lpips.Load(alexPath, linPath, CPU);
    }

    [Fact]
    public void Identical_images_are_at_zero_and_the_distance_is_symmetric()
    {
        var dir = Directory.CreateTempSubdirectory("lpips").FullName;
        using var lpips = RandomLpips(dir);
        using var _ = no_grad();
        manual_seed(5);
        var x = rand(2, 3, 64, 64) * 2 - 1;
        var y = rand(2, 3, 64, 64) * 2 - 1;
        Assert.Equal(0, lpips.call(x, x).item<float>(), 6);
        float xy = lpips.call(x, y).item<float>(), yx = lpips.call(y, x).item<float>();
        Assert.True(xy > 0);
        Assert.Equal(xy, yx, 5);
    }

    [Fact]
    public void Group_distance_averages_the_pairs()
    {
        var dir = Directory.CreateTempSubdirectory("lpips").FullName;
        var lpips = RandomLpips(dir);
        using var div = new LpipsDiversity(lpips);   // owns lpips
        var a = rand(1, 3, 64, 64) * 2 - 1;
        var b = rand(1, 3, 64, 64) * 2 - 1;
        var fakes = new[] { a, b, a };
        // pairs (a,b), (a,a), (b,a): two equal distances and one zero
        double ab;
        using (no_grad()) ab = lpips.call(a, b).item<float>();
        Assert.Equal(2 * ab / 3, div.GroupDistance(fakes, []), 5);
    }

    [Fact]
    public void A_linear_weight_file_with_a_missing_layer_is_refused()
    {
        var dir = Directory.CreateTempSubdirectory("lpips").FullName;
        using (RandomLpips(dir)) { }
        var lin = Enumerable.Range(0, 4).ToDictionary(i => $"lpips_weights.{i}.main.1.weight", i => rand(1, AlexNet.Channels[i], 1, 1));
        OfficialCheckpoint.Write(Path.Combine(dir, "bad.ckpt"), new Dictionary<string, IReadOnlyDictionary<string, Tensor>> { [""] = lin });
        var e = Assert.Throws<CheckpointException>(() => Lpips.Load(Path.Combine(dir, "alexnet.pth"), Path.Combine(dir, "bad.ckpt"), CPU));
        Assert.Contains("4.1.weight", e.Message);
    }

    [Fact]
    public void Pool_feature_diversity_is_zero_for_equal_outputs_and_two_for_opposite_ones()
    {
        var div = new PoolFeatureDiversity("lpips_resnet18");
        var f = tensor(new float[,] { { 1, 0 }, { 0, 2 } });
        Assert.Equal(0, div.GroupDistance([], [f, f]), 10);
        Assert.Equal(4, div.GroupDistance([], [f, -f]), 6);   // |u - (-u)|^2 = 4 for unit u
    }
}
