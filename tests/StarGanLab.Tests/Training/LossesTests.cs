using StarGanLab.Training;
using Xunit;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Training;

/// <summary>Each loss against a computation done by hand.</summary>
public class LossesTests : TorchTest
{
    [Fact]
    public void Adversarial_is_bce_with_logits_against_a_constant_label()
    {
        var logits = tensor(new float[] { 0f, 2f, -1f });
        // -log(sigmoid(x)) for target 1; -log(1 - sigmoid(x)) for target 0
        double[] x = [0, 2, -1];
        double real = x.Average(v => Math.Log(1 + Math.Exp(-v)));
        double fake = x.Average(v => Math.Log(1 + Math.Exp(v)));
        Assert.Equal(real, Losses.Adversarial(logits, 1).item<float>(), 6);
        Assert.Equal(fake, Losses.Adversarial(logits, 0).item<float>(), 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => Losses.Adversarial(logits, 2));
    }

    [Fact]
    public void R1_is_half_the_batch_mean_of_the_squared_input_gradient_and_differentiable()
    {
        // D(x) = sum_j w_j x_j^2 per sample -> dD/dx = 2 w x; ||.||^2 = sum 4 w^2 x^2
        var w = tensor(new float[] { 1f, 2f }, requires_grad: true);
        var x = tensor(new float[] { 1f, 1f, 3f, -1f }).view(2, 2).requires_grad_(true);
        var d = (x * x * w).sum(1);
        var r1 = Losses.R1(d, x);
        double expected = 0.5 * ((4 * 1 * 1 + 4 * 4 * 1) + (4 * 1 * 9 + 4 * 4 * 1)) / 2;   // = 0.5 * mean(20, 52) = 18
        Assert.Equal(expected, r1.item<float>(), 5);
        r1.backward();
        // d r1 / d w_j = 0.5/B * sum_i 8 w_j x_ij^2 -> w0: 0.25 * 8 * 1 * (1 + 9) = 20; w1: 0.25 * 8 * 2 * (1 + 1) = 8
        Assert.Equal(new float[] { 20f, 8f }, w.grad!.data<float>().ToArray());
    }

    [Fact]
    public void Wasserstein_terms_and_the_gradient_penalty_of_wgan_gp()
    {
        var critic = tensor(new float[] { 1f, -3f });
        Assert.Equal(1f, Losses.Wasserstein(critic, 1).item<float>());    // -mean
        Assert.Equal(-1f, Losses.Wasserstein(critic, 0).item<float>());
        // D(x) = w . x per sample -> dD/dx = w for every sample; ||w|| = 5 -> (5 - 1)^2 = 16, differentiable in w
        var w = tensor(new float[] { 3f, 4f }, requires_grad: true);
        var x = tensor(new float[] { 1f, 2f, -1f, 0.5f }).view(2, 2).requires_grad_(true);
        var gp = Losses.GradientPenalty((x * w).sum(1), x);
        Assert.Equal(16f, gp.item<float>(), 5);
        gp.backward();
        // d/dw (||w|| - 1)^2 = 2 (||w|| - 1) w / ||w|| = 2 * 4 * (3, 4) / 5
        Assert.Equal(new[] { 4.8f, 6.4f }, w.grad!.data<float>().ToArray().Select(v => MathF.Round(v, 4)));
    }

    [Fact]
    public void L1_terms_and_the_detached_second_fake()
    {
        var a = tensor(new float[] { 1, -2, 3, 0 });
        var b = tensor(new float[] { 0, 0, 1, 1 }, requires_grad: true);
        Assert.Equal((1 + 2 + 2 + 1) / 4.0, Losses.StyleReconstruction(a, b).item<float>(), 6);
        Assert.Equal((1 + 2 + 2 + 1) / 4.0, Losses.Cycle(a, b).item<float>(), 6);
        var ds = Losses.DiversitySensitive(a.clone().requires_grad_(true), b);
        ds.backward();
        Assert.Null(b.grad);   // no gradient flows into the second fake
    }

    [Theory]
    [InlineData(2.0, 100, 0, 2.0)]
    [InlineData(2.0, 100, 50, 1.0)]
    [InlineData(2.0, 100, 100, 0.0)]
    [InlineData(2.0, 100, 150, 0.0)]
    [InlineData(0.0, 100, 10, 0.0)]
    public void Diversity_weight_decays_linearly_to_zero(double initial, int dsIter, long step, double expected) =>
        Assert.Equal(expected, DiversitySchedule.Weight(initial, dsIter, step), 12);
}
