using StarGanLab.Networks;
using static TorchSharp.torch;

namespace StarGanLab.Parity;

/// <summary>Runs our networks, loaded from a fixture's official checkpoints, on the fixture's inputs and
/// compares every stored forward output. Checks only what the fixture holds, so it works for any
/// fixture of this layout (other seeds, sizes, widths, domain counts).</summary>
public static class ForwardParity
{
    // libtorch 2.10 and the fixture's 1.13 pick different conv/matmul kernels (summation order), which moves
    // float32 outputs by ~1e-6 of their scale; a wrong layer, init or op is off by orders of magnitude more.
    public const double Tolerance = 1e-5;

    public static List<ParityCheck> Run(ParityFixture fx)
    {
        using var gcHeldOff = new Native.NoGcRegion();   // see NoGcRegion: TorchSharp's implicit Scalars race the finalizer
        var checks = new List<ParityCheck>();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var xReal = fx.Tensor("x_real");
        var yOrg = fx.Tensor("y_org");
        var yTrg = fx.Tensor("y_trg");
        // A w_hpf > 0 fixture stores the FAN masks of x_real its generator outputs were made with (FanParity checks
        // our FAN against them); feeding the stored ones isolates the generator.
        FaceMasks? masks = fx.Model.WHpf > 0 && fx.Has("masks0.npy") && fx.Has("masks1.npy")
            ? new FaceMasks(fx.Tensor("masks0"), fx.Tensor("masks1")) : null;

        if (fx.Checkpoint("000000_nets") is { } netsFile)
        {
            using var nets = FixtureCheckpoints.Load(fx, netsFile, withDiscriminator: true);
            var zTrg = fx.Tensor("z_trg");
            var xRef = fx.Tensor("x_ref");
            var sLatent = nets.MappingNetwork!.call(zTrg, yTrg);
            Add(checks, fx, "mapping_network", "s_latent", sLatent);
            Add(checks, fx, "mapping_network", "s_latent_all", PerDomain(fx, yTrg, d => nets.MappingNetwork!.call(zTrg, d)));
            var sRef = nets.StyleEncoder!.call(xRef, yTrg);
            Add(checks, fx, "style_encoder", "s_ref", sRef);
            Add(checks, fx, "style_encoder", "s_ref_all", PerDomain(fx, yTrg, d => nets.StyleEncoder!.call(xRef, d)));
            Add(checks, fx, "style_encoder", "s_org", nets.StyleEncoder!.call(xReal, yOrg));
            var xFakeLatent = nets.Generator.forward(xReal, sLatent, masks);
            Add(checks, fx, "generator", "x_fake_latent", xFakeLatent);
            Add(checks, fx, "generator", "x_fake_ref", nets.Generator.forward(xReal, sRef, masks));
            if (masks != null) Add(checks, fx, "generator", "x_fake_latent_nomasks", nets.Generator.call(xReal, sLatent));
            var d = nets.Discriminator!;
            Add(checks, fx, "discriminator", "d_out_real", d.call(xReal, yOrg));
            Add(checks, fx, "discriminator", "d_out_real_all", PerDomain(fx, yTrg, dom => d.call(xReal, dom)));
            Add(checks, fx, "discriminator", "d_out_fake_latent", d.call(xFakeLatent, yTrg));
        }
        if (fx.Checkpoint("000000_nets_ema") is { } emaFile)
        {
            using var ema = FixtureCheckpoints.Load(fx, emaFile, withDiscriminator: false);
            var sLatent = ema.MappingNetwork!.call(fx.Tensor("z_trg"), yTrg);
            var sRef = ema.StyleEncoder!.call(fx.Tensor("x_ref"), yTrg);
            Add(checks, fx, "ema", "s_latent_ema", sLatent);
            Add(checks, fx, "ema", "s_ref_ema", sRef);
            Add(checks, fx, "ema", "x_fake_latent_ema", ema.Generator.forward(xReal, sLatent, masks));
            Add(checks, fx, "ema", "x_fake_ref_ema", ema.Generator.forward(xReal, sRef, masks));
        }
        foreach (string file in new[] { "000000_generator.ckpt", "000000_generator.legacy.ckpt" })
        {
            if (!fx.Has(file)) continue;
            // Generator-only fixture (hpf): s_latent and the FAN masks are stored inputs, which isolates the
            // generator's masked high-pass path from FAN differences.
            using var nets = FixtureCheckpoints.Load(fx, file, withDiscriminator: false, only: StarGanNets.GeneratorName);
            var sLatent = fx.Tensor("s_latent");
            string group = file.Contains("legacy") ? "generator (legacy file)" : "generator";
            if (masks != null)
                Add(checks, fx, group, "x_fake_latent", nets.Generator.forward(xReal, sLatent, masks));
            Add(checks, fx, group, "x_fake_latent_nomasks", nets.Generator.call(xReal, sLatent));
        }
        return checks;
    }

    /// <summary>Output for every domain d with y = full(B, d), stacked on a new leading axis (fixture "_all" files).</summary>
    static Tensor PerDomain(ParityFixture fx, Tensor labels, Func<Tensor, Tensor> f)
    {
        long b = labels.size(0);
        return stack(Enumerable.Range(0, fx.Model.NumDomains).Select(d => f(full(b, d, dtype: int64))).ToArray());
    }

    static void Add(List<ParityCheck> checks, ParityFixture fx, string group, string name, Tensor ours)
    {
        if (!fx.Has(name + ".npy")) return;
        checks.Add(ParityCheck.Compare(group, name, ours, fx.Tensor(name), Tolerance));
    }
}
