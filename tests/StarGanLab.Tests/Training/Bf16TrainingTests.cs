using StarGanLab.Config;
using StarGanLab.Kernels;
using StarGanLab.Networks;
using StarGanLab.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Training;

/// <summary>A tiny model under train.precision: bf16: its convolutions compute in bfloat16, close to float32, and
/// everything the step keeps (parameters, gradients, Adam's moments, the EMA copies) stays float32.</summary>
public class Bf16TrainingTests : TorchTest
{
    const int Batch = 2;

    static ExperimentConfig Tiny() => TinyRuns.Config(Path.GetTempPath(), totalIters: 1) is var c
        ? c with { Train = c.Train with { Precision = ComputePrecision.Bf16 } } : throw new InvalidOperationException();

    static StepInputs Inputs(ModelConfig m)
    {
        var x = () => rand(Batch, 3, m.ImgSize, m.ImgSize) * 2 - 1;
        return new StepInputs(x(), tensor(new long[] { 0, 1 }), x(), x(), tensor(new long[] { 2, 0 }),
                              randn(Batch, m.LatentDim), randn(Batch, m.LatentDim));
    }

    /// <summary>G's translation and D's judgement of it, and the gradients of both networks' parameters.</summary>
    static (Tensor Image, Tensor Logits, Dictionary<string, Tensor> Grads) Pass(StarGanNets nets, StepInputs x)
    {
        foreach (var (_, m) in nets.Modules) foreach (var p in m.parameters()) p.grad = null;
        var s = nets.LatentStyle(x.ZTrg, x.YTrg);
        var image = nets.Generator.forward(x.XReal, s);
        var logits = nets.Discriminator!.call(image, x.YTrg);
        (logits.sum() + image.pow(2).mean()).backward();
        var grads = nets.Modules.Where(m => m.Name is StarGanNets.GeneratorName or StarGanNets.DiscriminatorName)
            .SelectMany(m => m.Module.named_parameters().Select(p => (Name: $"{m.Name}.{p.name}", p.parameter)))
            .Where(p => p.parameter.grad is not null)
            .ToDictionary(p => p.Name, p => p.parameter.grad!.detach().clone());
        return (image.detach(), logits.detach(), grads);
    }

    static double Rel(Tensor a, Tensor b) => ((a - b).norm().to(float64).item<double>() / b.norm().to(float64).item<double>());

    [Fact]
    public void A_bf16_forward_and_backward_stay_close_to_float32()
    {
        using var scope = NewDisposeScope();
        var cfg = Tiny();
        manual_seed(11);
        var (nets, ema) = StarGanNets.Build(cfg.Model, CPU, seed: 11);
        using var _n = nets; using var _e = ema;
        var x = Inputs(cfg.Model);
        var f32 = Pass(nets, x);
        (Tensor Image, Tensor Logits, Dictionary<string, Tensor> Grads) b16;
        using (ConvKernel.InBf16()) b16 = Pass(nets, x);

        Assert.Equal(float32, b16.Image.dtype);
        // Relative to the norm. bfloat16 keeps 8 significant bits (2^-9 = 2e-3 per rounding), and the error grows
        // as the gradient travels back through the layers: measured against float64 on this tiny model (8-16
        // channels), the image 9e-3, D's last layers' gradients 3e-3 to 7e-3, G's first layers' 1e-1 to 1.7e-1
        // (float32: 1e-6 everywhere). Zero would mean nothing was cast.
        Assert.InRange(Rel(b16.Image, f32.Image), 1e-5, 2e-2);
        Assert.InRange(Rel(b16.Logits, f32.Logits), 1e-5, 2e-2);
        Assert.Equal(f32.Grads.Keys.Order(), b16.Grads.Keys.Order());
        // Conv biases before an instance norm have no gradient but float rounding (norm 1e-16 to 1e-6, depending
        // on the thread count), nothing to compare; every other gradient's norm here is 0.3 or more.
        double largest = f32.Grads.Values.Max(g => g.norm().item<float>());
        foreach (var (name, g) in f32.Grads)
        {
            Assert.Equal(float32, b16.Grads[name].dtype);
            if (g.norm().item<float>() > 1e-4 * largest) Assert.True(Rel(b16.Grads[name], g) < 0.3, $"{name}: {Rel(b16.Grads[name], g):E1}");
        }
        var all32 = cat(f32.Grads.Values.Select(g => g.flatten()).ToList());
        var all16 = cat(f32.Grads.Keys.Select(k => b16.Grads[k].flatten()).ToList());
        Assert.InRange(Rel(all16, all32), 1e-5, 5e-2);
    }

    [Fact]
    public void A_bf16_step_keeps_parameters_gradients_adam_and_ema_in_float32()
    {
        using var scope = NewDisposeScope();
        var cfg = Tiny();
        manual_seed(3);
        var (nets, ema) = StarGanNets.Build(cfg.Model, CPU, seed: 3);
        using var _n = nets; using var _e = ema;
        using var trainer = new Trainer(nets, ema, cfg);
        var losses = trainer.TrainStep(Inputs(cfg.Model));   // the trainer opens the bfloat16 scope from its config
        Assert.All(losses.Flatten(), l => Assert.True(double.IsFinite(l.Value), l.Key));

        foreach (var set in new[] { nets, ema })
            foreach (var (name, module) in set.Modules)
                foreach (var (p, t) in module.named_parameters())
                {
                    Assert.True(t.dtype == float32, $"{name}.{p} is {t.dtype}");
                    if (t.grad is { } g) Assert.True(g.dtype == float32, $"{name}.{p}.grad is {g.dtype}");
                }
        foreach (var (name, adam) in trainer.Optimizers)
        {
            var state = adam.StateDict();
            Assert.NotEmpty(state);
            var moments = state.Where(kv => kv.Key.EndsWith(".exp_avg", StringComparison.Ordinal) || kv.Key.EndsWith(".exp_avg_sq", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(moments);
            Assert.All(moments, kv => Assert.True(kv.Value.dtype == float32, $"{name} {kv.Key} is {kv.Value.dtype}"));
        }
    }
}
