using StarGanLab.Training;
using Xunit;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Training;

public class AdamL2Tests : TorchTest
{
    [Fact]
    public void Matches_TorchSharps_Adam_with_coupled_weight_decay_over_several_steps()
    {
        manual_seed(5);
        var p1 = randn(20).requires_grad_(true);
        var p2 = p1.detach().clone().requires_grad_(true);
        var ours = new AdamL2([("p", p1)], lr: 1e-2, beta1: 0, beta2: 0.99, weightDecay: 1e-4);
        var theirs = optim.Adam([new TorchSharp.Modules.Parameter(p2)], lr: 1e-2, beta1: 0, beta2: 0.99, weight_decay: 1e-4);
        var target = randn(20);
        for (int i = 0; i < 5; i++)
        {
            ours.ZeroGrad();
            ((p1 - target).pow(2).sum()).backward();
            ours.Step();
            theirs.zero_grad();
            ((theirs.parameters().First() - target).pow(2).sum()).backward();
            theirs.step();
        }
        Assert.True(allclose(p1, theirs.parameters().First(), 1e-6, 1e-6));
    }

    [Fact]
    public void First_step_with_beta1_zero_is_lr_times_the_sign_and_state_round_trips()
    {
        var p = tensor(new float[] { 1f, -1f, 0.5f }, requires_grad: true);
        var adam = new AdamL2([("w", p)], lr: 0.1, beta1: 0, beta2: 0.99, weightDecay: 0);
        p.grad = tensor(new float[] { 3f, -0.001f, 0f });
        adam.Step();
        Assert.Equal(new float[] { 0.9f, -0.9f, 0.5f }, p.detach().data<float>().ToArray().Select(v => MathF.Round(v, 5)).ToArray());

        var state = adam.StateDict();
        Assert.Equal(1, state["w.step"].item<long>());
        var copy = new AdamL2([("w", p)], 0.1, 0, 0.99, 0);
        copy.LoadStateDict(state, "test");
        Assert.True(copy.StateDict()["w.exp_avg_sq"].eq(state["w.exp_avg_sq"]).all().item<bool>());
        var bad = new AdamL2([("other", p)], 0.1, 0, 0.99, 0);
        Assert.Contains("unknown parameter 'w'", Assert.Throws<InvalidDataException>(() => bad.LoadStateDict(state, "test")).Message);
    }
}
