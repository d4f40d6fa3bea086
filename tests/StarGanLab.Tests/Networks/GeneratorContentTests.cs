using StarGanLab.Config;
using StarGanLab.Networks;
using Xunit;
using static TorchSharp.torch;
using Generator = StarGanLab.Networks.Generator;

namespace StarGanLab.Tests.Networks;

/// <summary>G = Decode(Encode(x)): training and sampling reuse one encoding of x for several style codes, which is
/// only sound if the halves compute exactly what one forward pass does, values and gradients.</summary>
public class GeneratorContentTests : TorchTest
{
    static ModelConfig Tiny(double wHpf) =>
        new(ImgSize: 64, NumDomains: 2, LatentDim: 8, StyleDim: 16, WidthConst: 64 * 8, MaxConvDim: 32, MappingHidden: 32, WHpf: wHpf);

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void One_encoding_decoded_with_two_codes_equals_two_forward_passes(double wHpf)
    {
        manual_seed(4);
        using var g = Generator.Create(Tiny(wHpf));
        var x = randn(2, 3, 64, 64);
        var (s1, s2) = (randn(2, 16), randn(2, 16));
        FaceMasks? masks = wHpf > 0 ? new FaceMasks(rand(2, 1, 256, 256), rand(2, 1, 256, 256)) : null;

        var content = g.Encode(x, masks);
        Assert.Equal(wHpf > 0 ? [32L, 64L] : [], content.Skips.Keys.Order());   // the encoder's inputs at 64 and 32 px
        foreach (var s in new[] { s1, s2 })
            Assert.True(g.forward(x, s, masks).equal(g.Decode(content, s, masks)).all().item<bool>(), "decode(encode) differs from forward");
    }

    [Fact]
    public void Gradients_through_a_shared_encoding_equal_those_of_separate_passes()
    {
        manual_seed(5);
        using var g = Generator.Create(Tiny(0));
        var x = randn(2, 3, 64, 64);
        var (s1, s2) = (randn(2, 16), randn(2, 16));
        Tensor[] Grads(Func<Tensor> loss)
        {
            foreach (var p in g.parameters()) p.grad = null;
            loss().backward();
            return g.parameters().Select(p => p.grad!.clone()).ToArray();
        }
        var separate = Grads(() => g.forward(x, s1).square().mean() + g.forward(x, s2).abs().mean());
        var shared = Grads(() =>
        {
            var c = g.Encode(x);
            return g.Decode(c, s1).square().mean() + g.Decode(c, s2).abs().mean();
        });
        // Only the summation order differs (one backward of the summed gradient against two), so the tolerance is
        // float rounding of the largest gradient: conv biases before an instance norm have a true gradient of 0 and
        // carry rounding noise that a per-parameter relative tolerance would flag.
        float scale = separate.Max(gr => gr.abs().max().item<float>());
        foreach (var (a, b) in separate.Zip(shared))
            Assert.True(allclose(a, b, 1e-5, 1e-5 * scale), $"gradient through the shared encoding differs by {(a - b).abs().max().item<float>():E2} (largest gradient {scale:E2})");
    }

    [Fact]
    public void Misuse_is_an_error_not_a_silent_translation()
    {
        using var concat = Generator.Create(Tiny(0) with { Injection = InjectionMode.Concat, StyleSource = StyleCode.Domain });
        Assert.False(concat.HasStyleFreeEncoder);
        Assert.Contains("domain label", Assert.Throws<InvalidOperationException>(() => concat.Encode(randn(1, 3, 64, 64))).Message);

        using var g = Generator.Create(Tiny(1));
        var unmasked = g.Encode(randn(1, 3, 64, 64));
        var masks = new FaceMasks(rand(1, 1, 256, 256), rand(1, 1, 256, 256));
        Assert.Contains("without masks", Assert.Throws<ArgumentException>(() => g.Decode(unmasked, randn(1, 16), masks)).Message);
    }
}
