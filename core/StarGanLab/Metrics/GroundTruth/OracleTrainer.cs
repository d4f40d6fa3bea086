using System.Diagnostics;
using StarGanLab.Data;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Metrics.GroundTruth;

/// <summary>Fits an <see cref="OracleNet"/> to freshly rendered synthetic images and measures it on held-out ones.</summary>
internal static class OracleTrainer
{
    // Keeps the oracle's domain draws apart from every other stream derived from the synthetic seed.
    const long StreamKey = 0x6F7261636C65;   // "oracle"

    // Regression terms are MSEs of values in [0, 1] (about 0.08 for a constant guess); the weights bring them to the
    // scale of the cross-entropies so no head starves the shared trunk.
    const double ContentWeight = 20, StyleWeight = 10;

    public static OracleNet Train(SyntheticDomains set, OracleOptions o, Action<string> log)
    {
        int domains = set.DomainNames.Count;
        var gen = new torch.Generator((ulong)o.Seed);
        var net = new OracleNet(domains, o.Width);
        net.Initialize(gen);
        net.train();
        using var adam = optim.Adam(net.parameters(), o.LearningRate);
        var schedule = optim.lr_scheduler.CosineAnnealingLR(adam, o.Steps);
        var pick = DataRng.For(set.Options.Seed, StreamKey, o.Seed);
        // Training-split factors continue past the split's size: image i of a domain is the same image the GAN trains
        // on for i < PerDomain and a fresh one after, so the oracle never sees a validation image.
        var next = new int[domains];
        var clock = Stopwatch.StartNew();
        int every = Math.Max(1, o.Steps / 5);
        double running = 0;
        for (int step = 1; step <= o.Steps; step++)
        {
            var items = new Rendering[o.BatchSize];
            for (int i = 0; i < items.Length; i++)
            {
                int d = pick.NextInt(domains);
                items[i] = new Rendering(d, set.FactorsAt(d, next[d]++, Split.Train));
            }
            using var scope = NewDisposeScope();
            using var gcHeldOff = new Native.NoGcRegion();   // TorchSharp's implicit Scalars race the finalizer (see NoGcRegion)
            var x = Renders.Images(set, items);
            if (o.NoiseStd > 0)
                x = x + rand([items.Length, 1, 1, 1], generator: gen) * o.NoiseStd * randn(x.shape, generator: gen);
            var factors = items.Select(r => r.Factors).ToArray();
            using var outs = net.call(x);
            var loss = F.cross_entropy(outs.DomainLogits, Renders.Domains(items))
                       + F.cross_entropy(outs.TextureLogits, Renders.Texture(factors))
                       + ContentWeight * F.mse_loss(outs.Content, Renders.Content(factors))
                       + StyleWeight * F.mse_loss(outs.Style, Renders.Style(factors));
            adam.zero_grad();
            loss.backward();
            adam.step();
            schedule.step();
            running += loss.item<float>();
            if (step % every == 0 || step == o.Steps)
            {
                log($"oracle: step {step}/{o.Steps}, loss {running / (step % every == 0 ? every : step % every):0.0000}, {clock.Elapsed.TotalSeconds:0} s");
                running = 0;
            }
        }
        net.eval();
        return net;
    }

    /// <summary>The oracle's errors on the first <paramref name="perDomain"/> validation images of every domain.</summary>
    public static OracleQuality Measure(OracleNet net, SyntheticDomains set, int perDomain)
    {
        var items = Enumerable.Range(0, set.DomainNames.Count)
            .SelectMany(d => Enumerable.Range(0, perDomain).Select(i => new Rendering(d, set.FactorsAt(d, i, Split.Val))))
            .ToArray();
        var factors = items.Select(r => r.Factors).ToArray();
        using var scope = NewDisposeScope();
        using var x = Renders.Images(set, items);
        using var p = SyntheticOracle.Predict(net, x);
        var contentAbs = (p.Content - Renders.Content(factors)).abs();
        return new OracleQuality(
            DomainAcc: p.Domain.eq(Renders.Domains(items)).to(float64).mean().item<double>(),
            ContentErr: contentAbs.mean().to(float64).item<double>(),
            StyleErr: FactorErrors.MeanAbs(p.Style, Renders.Style(factors)).mean().to(float64).item<double>(),
            TextureAcc: p.Texture.eq(Renders.Texture(factors)).to(float64).mean().item<double>(),
            ContentErrPerFactor: contentAbs.mean([0]).to(float64).data<double>().ToArray(),
            Images: items.Length);
    }
}
