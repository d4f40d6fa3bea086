using StarGanLab.Config;
using StarGanLab.Networks;
using static TorchSharp.torch;

namespace StarGanLab.Training;

/// <summary>The discriminator and generator objectives of StarGAN v2 (paper eq. 7), as the official
/// compute_d_loss and compute_g_loss compute them.</summary>
public static class Objectives
{
    /// <summary>L_D = L_adv(real) + L_adv(fake) + lambda_reg * R1, the fake built without a graph (D is trained alone).</summary>
    public static (Tensor Loss, DLosses Terms) Discriminator(StarGanNets nets, LossConfig w, StepInputs x, StyleSource source)
    {
        var d = nets.Discriminator ?? throw new InvalidOperationException("the discriminator objective needs the training networks");
        var xReal = x.XReal.detach().requires_grad_(true);   // a leaf for the R1 gradient
        var outReal = d.call(xReal, x.YOrg);
        var lossReal = Losses.Adversarial(outReal, 1);
        var lossReg = Losses.R1(outReal, xReal);

        Tensor xFake;
        using (no_grad())
        {
            var sTrg = TargetStyle(nets, x, source, second: false);
            xFake = nets.Generator.forward(x.XReal, sTrg, x.Masks);
        }
        var lossFake = Losses.Adversarial(d.call(xFake, x.YTrg), 0);

        var loss = lossReal + lossFake + w.LambdaReg * lossReg;
        return (loss, new DLosses(loss.item<float>(), lossReal.item<float>(), lossFake.item<float>(), lossReg.item<float>()));
    }

    /// <summary>L_G = L_adv + lambda_sty L_sty - lambda_ds L_ds + lambda_cyc L_cyc.</summary>
    public static (Tensor Loss, GLosses Terms) Generator(StarGanNets nets, LossConfig w, double lambdaDs, StepInputs x, StyleSource source, IFaceMasker? masker)
    {
        var d = nets.Discriminator ?? throw new InvalidOperationException("the generator objective needs the discriminator");
        var sTrg = TargetStyle(nets, x, source, second: false);
        var xFake = nets.Generator.forward(x.XReal, sTrg, x.Masks);
        var lossAdv = Losses.Adversarial(d.call(xFake, x.YTrg), 1);

        var lossSty = Losses.StyleReconstruction(nets.StyleEncoder.call(xFake, x.YTrg), sTrg);

        // The second fake is a constant of the loss (the official code builds its graph, then detaches it):
        // computing it without a graph gives the same values and gradients for less work.
        Tensor xFake2;
        using (no_grad())
            xFake2 = nets.Generator.forward(x.XReal, TargetStyle(nets, x, source, second: true), x.Masks);
        var lossDs = Losses.DiversitySensitive(xFake, xFake2);

        FaceMasks? recMasks = masker?.Masks(xFake);   // the official recomputes masks from the fake for the cycle
        var sOrg = nets.StyleEncoder.call(x.XReal, x.YOrg);
        var xRec = nets.Generator.forward(xFake, sOrg, recMasks);
        var lossCyc = Losses.Cycle(xRec, x.XReal);

        var loss = lossAdv + w.LambdaSty * lossSty - lambdaDs * lossDs + w.LambdaCyc * lossCyc;
        return (loss, new GLosses(loss.item<float>(), lossAdv.item<float>(), lossSty.item<float>(), lossDs.item<float>(), lossCyc.item<float>()));
    }

    static Tensor TargetStyle(StarGanNets nets, StepInputs x, StyleSource source, bool second) => source switch
    {
        StyleSource.Latent => nets.MappingNetwork.call(second ? x.ZTrg2 : x.ZTrg, x.YTrg),
        _ => nets.StyleEncoder.call(second ? x.XRef2 : x.XRef, x.YTrg),
    };
}
