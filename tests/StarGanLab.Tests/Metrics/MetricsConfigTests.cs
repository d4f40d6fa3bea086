using StarGanLab.Config;
using Xunit;
using static StarGanLab.Tests.Config.ConfigTestSupport;

namespace StarGanLab.Tests.Metrics;

public class MetricsConfigTests
{
    public static TheoryData<string, string, int, string> InvalidConfigs => new()
    {
        { Valid + "metrics:\n  backbone: inception\n", "metrics.inception_weights", 4, "required when metrics.backbone is 'inception'" },
        { Valid + "metrics:\n  backbone: inception\n  inception_weights: i.pth\n  alexnet_weights: a.pth\n", "metrics.lpips_weights", 4, "required when metrics.backbone is 'inception'" },
        { Valid + "metrics:\n  backbone: vgg\n", "metrics.backbone", 4, "expected resnet18, inception or none, got 'vgg'" },
        { "name: t\ndata: {source: folder, root: r}\nmetrics:\n  ground_truth: true\n", "metrics.ground_truth", 4, "needs data.source: synthetic" },
        { Valid + "metrics:\n  modes: latent,random\n", "metrics.modes", 4, "expected latent, reference or latent,reference" },
        { Valid + "metrics:\n  num_outs_per_domain: 1\n", "metrics.num_outs_per_domain", 4, "expected an integer >= 2" },
        { Valid + "metrics:\n  seeds: 0\n", "metrics.seeds", 4, "expected an integer >= 1" },
    };

    [Theory]
    [MemberData(nameof(InvalidConfigs))]
    public void Invalid_metrics_section_is_reported_with_its_key(string yaml, string keyPath, int line, string wording)
    {
        var e = Fails(yaml);
        Assert.Contains(e.Problems, p => p.KeyPath == keyPath && p.Line == line && p.Message.Contains(wording));
    }

    [Fact]
    public void Defaults_are_the_offline_backbone_and_the_official_protocol()
    {
        var m = ConfigLoader.Parse(Valid, "test.yaml").Metrics;
        Assert.Equal("resnet18", m.Backbone);
        Assert.Equal("latent,reference", m.Modes);
        Assert.Equal(10, m.NumOutsPerDomain);
        Assert.Equal(1, m.Seeds);
        Assert.False(m.EvalAtEnd);
    }

    [Fact]
    public void A_model_without_style_codes_is_evaluated_in_the_latent_mode_only_and_says_so()
    {
        var full = new ExperimentConfig("t");
        var presetA = full with { Model = full.Model with { Injection = InjectionMode.Concat, StyleSource = StyleCode.Domain, Discriminator = DiscriminatorHead.Classifier } };
        var said = new List<string>();
        Assert.Equal([EvalModes.Latent, EvalModes.Reference], StarGanLab.Metrics.EvalOptions.From(full, said.Add).Modes);
        Assert.Empty(said);
        Assert.Equal([EvalModes.Latent], StarGanLab.Metrics.EvalOptions.From(presetA, said.Add).Modes);
        Assert.Contains("evaluating the latent mode only", Assert.Single(said));
        // Asking for the reference mode alone is kept, so that the evaluation refuses it with the model named.
        var referenceOnly = presetA with { Metrics = presetA.Metrics with { Modes = "reference" } };
        Assert.Equal([EvalModes.Reference], StarGanLab.Metrics.EvalOptions.From(referenceOnly).Modes);
    }
}
