using StarGanLab.Config;
using StarGanLab.Networks;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;
using Generator = StarGanLab.Networks.Generator;

namespace StarGanLab.Tests.Networks;

public class NetworkTests : TorchTest
{
    static ModelConfig Tiny(int img, double wHpf = 0, int domains = 3) =>
        new(ImgSize: img, NumDomains: domains, LatentDim: 8, StyleDim: 16, WidthConst: img * 8, MaxConvDim: 32, MappingHidden: 32, WHpf: wHpf);

    [Theory]
    [InlineData(16)]
    [InlineData(32)]
    public void Shapes_gradients_and_finiteness(int img)
    {
        manual_seed(1);
        var (nets, ema) = StarGanNets.Build(Tiny(img), CPU, seed: 1);
        using var _n = nets; using var _e = ema;
        var x = randn(2, 3, img, img);
        var y = tensor(new long[] { 0, 2 });
        var z = randn(2, 8);

        var s = nets.MappingNetwork!.call(z, y);
        Assert.Equal(new long[] { 2, 16 }, s.shape);
        var sRef = nets.StyleEncoder!.call(x, y);
        Assert.Equal(new long[] { 2, 16 }, sRef.shape);
        var xFake = nets.Generator.call(x, s);
        Assert.Equal(x.shape, xFake.shape);
        var logits = nets.Discriminator!.call(xFake, y);
        Assert.Equal(new long[] { 2 }, logits.shape);

        (logits.sum() + sRef.sum()).backward();
        foreach (var (name, module) in nets.Modules)
            foreach (var (pname, p) in module.named_parameters())
            {
                Assert.True(p.grad is not null, $"{name}.{pname} got no gradient");
                Assert.True(p.grad!.isfinite().all().item<bool>(), $"{name}.{pname} has a non-finite gradient");
            }
        Assert.True(xFake.isfinite().all().item<bool>());
    }

    [Fact]
    public void Generator_with_masks_uses_the_high_pass_path_at_32_and_64()
    {
        manual_seed(2);
        var m = Tiny(64, wHpf: 1, domains: 2);
        using var g = Generator.Create(m);
        var x = randn(1, 3, 64, 64);
        var s = randn(1, 16);
        var masks = new FaceMasks(ones(1, 1, 256, 256), ones(1, 1, 256, 256));
        using var _ = no_grad();
        var plain = g.call(x, s);
        var masked = g.forward(x, s, masks);
        Assert.True((plain - masked).abs().max().item<float>() > 1e-4, "masks had no effect");
        var zeroMasks = g.forward(x, s, new FaceMasks(zeros(1, 1, 256, 256), zeros(1, 1, 256, 256)));
        Assert.True(allclose(plain, zeroMasks, 1e-6, 1e-6), "zero masks must add nothing");
    }

    [Fact]
    public void Masks_on_a_generator_without_high_pass_are_refused()
    {
        using var g = Generator.Create(Tiny(16));
        var ex = Assert.Throws<InvalidOperationException>(() =>
        {
            g.forward(randn(1, 3, 16, 16), randn(1, 16), new FaceMasks(ones(1, 1, 256, 256), ones(1, 1, 256, 256)));
        });
        Assert.Contains("w_hpf", ex.Message);
    }

    [Fact]
    public void He_init_gives_fan_in_variance_and_zero_biases_and_ema_starts_equal()
    {
        var (nets, ema) = StarGanNets.Build(Tiny(32) with { MappingHidden = 256 }, CPU, seed: 3);
        using var _n = nets; using var _e = ema;
        var w = nets.MappingNetwork!.named_parameters().First(p => p.name == "shared.2.weight").parameter;
        double std = w.std().item<float>();
        Assert.InRange(std, Math.Sqrt(2.0 / 256) * 0.95, Math.Sqrt(2.0 / 256) * 1.05);
        foreach (var (name, p) in nets.Generator.named_parameters())
            if (name.EndsWith("conv1.bias") || name == "from_rgb.bias")
                Assert.Equal(0f, p.abs().max().item<float>());
        AssertSameWeights(ema, nets, "ema {0} differs");
    }

    /// <summary>Every tensor of every network of <paramref name="a"/> equals its namesake in <paramref name="b"/>;
    /// <paramref name="failure"/> gets "network.key" as {0}.</summary>
    static void AssertSameWeights(StarGanNets a, StarGanNets b, string failure)
    {
        foreach (var (name, module) in a.Modules)
        {
            var other = b[name].state_dict();
            foreach (var (key, t) in module.state_dict())
                Assert.True(other[key].eq(t).all().item<bool>(), string.Format(failure, $"{name}.{key}"));
        }
    }

    [Fact]
    public void He_init_is_a_function_of_the_seed_alone_whatever_draws_from_the_global_generator()
    {
        var model = Tiny(16);
        manual_seed(1);
        var (a, aEma) = StarGanNets.Build(model, CPU, seed: 7);
        manual_seed(2);
        randn(1000).Dispose();   // as a test or a notebook cell beside the session would
        var (b, bEma) = StarGanNets.Build(model, CPU, seed: 7);
        var (c, cEma) = StarGanNets.Build(model, CPU, seed: 8);
        using var _ = a; using var __ = b; using var ___ = c; using var _e = aEma; using var __e = bEma; using var ___e = cEma;
        var from = (StarGanNets n) => n.Generator.named_parameters().First(p => p.name == "from_rgb.weight").parameter;
        AssertSameWeights(a, b, "{0} moved with the global generator");
        Assert.False(from(a).eq(from(c)).all().item<bool>(), "another seed must give other weights");
    }

    [Fact]
    public void Widths_follow_the_width_constant_and_cap()
    {
        var m = new ModelConfig(ImgSize: 256);   // official: dim_in 64, capped at 512
        using var g = Generator.Create(m);
        var shapes = g.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        Assert.Equal(new long[] { 64, 3, 3, 3 }, shapes["from_rgb.weight"]);
        Assert.Equal(new long[] { 512, 512, 3, 3 }, shapes["encode.5.conv2.weight"]);
        Assert.False(shapes.ContainsKey("hpf.filter"));
    }
}
