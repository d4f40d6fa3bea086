using StarGanLab.Checkpoints;
using StarGanLab.Networks;
using StarGanLab.Parity;
using Xunit;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Networks;

public class FanTests : TorchTest
{
    [ParityFact("hpf")]
    public void Fan_matches_the_official_key_list()
    {
        var fx = new ParityFixture(Fixtures.Parity("hpf"));
        var want = File.ReadLines(fx.PathOf("state_dict_keys.txt"))
            .Select(l => l.Split('\t'))
            .Where(p => p.Length == 4 && p[0] == "fan")
            .Select(p => $"{p[1]} {p[2].Replace(" ", "")} {p[3]}")
            .ToList();
        using var fan = new Fan();
        var ours = StateDicts.Of(fan).Select(kv => $"{kv.Key} [{string.Join(",", kv.Value.shape)}] {Dtype(kv.Value.dtype)}").ToList();
        Assert.Equal(336, want.Count);
        // StateDicts.Of is PyTorch's order (what checkpoints are written in); TorchSharp's own state_dict() lists
        // a BatchNorm's buffers after all parameters, so only its key set is compared.
        Assert.Equal(want, ours);
        Assert.Equal(want.Order(), fan.state_dict().Select(kv => $"{kv.Key} [{string.Join(",", kv.Value.shape)}] {Dtype(kv.Value.dtype)}").Order());
    }

    static string Dtype(ScalarType t) => t == ScalarType.Int64 ? "int64" : t == ScalarType.Float32 ? "float32" : t.ToString();

    [Fact]
    public void Masks_of_small_images_are_256_px_in_zero_one_and_carry_no_gradient()
    {
        manual_seed(3);
        using var fan = new Fan();
        fan.eval();
        var x = (rand(1, 3, 16, 16) * 2 - 1).requires_grad_(true);   // one image: the FAN always runs at 256 px
        var masks = fan.Masks(x);
        foreach (var m in new[] { masks.Coarse, masks.Fine })
        {
            Assert.Equal(new long[] { 1, 1, 256, 256 }, m.shape);
            Assert.True(m.isfinite().all().item<bool>());
            Assert.True(m.min().item<float>() >= 0 && m.max().item<float>() <= 1);
            Assert.False(m.requires_grad);
        }
        var landmarks = fan.Landmarks(x);   // heatmap pixels scaled by 16 / 64
        Assert.Equal(new long[] { 1, 98, 2 }, landmarks.shape);
        Assert.True(landmarks.min().item<float>() > 0 && landmarks.max().item<float>() < 16);
    }

    [Fact]
    public void Preprocess_moves_and_sharpens_parts_and_keeps_the_second_mask_free_of_eyebrows()
    {
        var hm = zeros(1, 98, 256, 256);
        hm[0, 40, 100, 50] = tensor(0.5f);    // eyebrow: 7 px down, squared; absent from the second mask
        hm[0, 40, 10, 10] = tensor(0.05f);    // below the 0.1 cut: removed
        hm[0, 62, 150, 80] = tensor(0.8f);    // eye: a cubed copy 8 px down plus a copy 24 px down
        hm[0, 2, 30, 30] = tensor(0.9f);      // outer face line: dropped
        var (coarse, fine) = HeatmapMasks.FromHeatmaps(hm);

        float Px(Tensor m, int r, int c) => m[0, 0, r, c].item<float>();
        Assert.Equal(1.0, Px(coarse, 107, 50), 4);
        Assert.Equal(0.0, Px(fine, 107, 50), 6);
        Assert.Equal(1.0, Px(coarse, 158, 80), 4);
        Assert.Equal(1.0, Px(coarse, 174, 80), 4);
        Assert.Equal(1.0, Px(fine, 158, 80), 4);
        Assert.Equal(0.0, Px(coarse, 10, 10), 6);
        Assert.Equal(0.0, Px(coarse, 30, 30), 6);
        Assert.Equal(3.0, coarse.sum().item<float>(), 3);
        Assert.Equal(2.0, fine.sum().item<float>(), 3);
    }

    [Fact]
    public void Landmarks_are_peaks_refined_a_quarter_pixel_towards_the_higher_neighbour()
    {
        var hm = zeros(1, 2, 64, 64);
        hm[0, 0, 10, 20] = tensor(1f);
        hm[0, 0, 10, 21] = tensor(0.5f);      // right > left: x + 0.25
        hm[0, 0, 9, 20] = tensor(0.3f);       // up > down: y - 0.25
        hm[0, 1, 0, 5] = tensor(1f);          // on the border: not refined
        hm[0, 1, 0, 6] = tensor(0.5f);
        var p = HeatmapLandmarks.Decode(hm);
        Assert.Equal(new[] { 20.75f, 10.25f, 5.5f, 0.5f }, p.flatten().data<float>().ToArray());
    }

    [Fact]
    public void Loading_a_wing_file_ignores_and_reports_extra_keys_and_refuses_missing_ones()
    {
        string dir = Directory.CreateTempSubdirectory("stargan-fan").FullName;
        string extra = Path.Combine(dir, "extra.ckpt");
        FanSupport.WriteWing(extra, sd => new Dictionary<string, Tensor>(sd) { ["m1.conv.weight"] = zeros(2) });
        var lines = new List<string>();
        using (var fan = Fan.Load(extra, lines.Add))
            Assert.False(fan.training);
        Assert.Single(lines);
        Assert.Contains("m1.conv.weight", lines[0]);

        string missing = Path.Combine(dir, "missing.ckpt");
        FanSupport.WriteWing(missing, sd => sd.Where(kv => kv.Key != "l0.bias").ToDictionary());
        var ex = Assert.Throws<CheckpointException>(() => Fan.Load(missing, _ => { }));
        Assert.Contains("l0.bias", ex.Message);

        string absent = Path.Combine(dir, "nowhere", "wing.ckpt");
        var notFound = Assert.Throws<FileNotFoundException>(() => Fan.Load(absent, _ => { }));
        Assert.Contains(absent, notFound.Message);
        Assert.Contains("w_hpf", notFound.Message);
    }
}
