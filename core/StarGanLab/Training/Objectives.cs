using TorchSharp;
using StarGanLab.Config;
using StarGanLab.Networks;
using static TorchSharp.torch;

namespace StarGanLab.Training;

/// <summary>The discriminator and generator objectives of StarGAN v2 (paper eq. 7), as the official
/// compute_d_loss and compute_g_loss compute them. A term whose weight is 0 is not computed at all (its network
/// passes and, for R1, the double backward are skipped) and reported as 0; the ablation variants of
/// <see cref="ModelVariant"/> add StarGAN v1's domain classification (classifier discriminator) and its WGAN-GP loss.</summary>
public static class Objectives
{
    /// <summary>G(x_real, s) for this iteration's target style s from <paramref name="source"/> (the second latent
    /// code or reference with <paramref name="second"/>), recorded for autograd where the networks require grad.
    /// <paramref name="content"/> is x_real's encoding by the same G weights when the caller has one: the encoder
    /// does not see s, so only the decoder runs again (same values; under no_grad no gradient is lost).</summary>
    public static Translation Translate(StarGanNets nets, StepInputs x, StyleSource source, bool second = false, GeneratorContent? content = null)
    {
        var style = TargetStyle(nets, x, source, second);
        var image = nets.Generator.forward(x.XReal, style, x.Masks, ref content);
        return new Translation(style, image, content);
    }

    /// <summary>L_D = L_adv(real) + L_adv(fake) + lambda_reg * R1 [+ lambda_cls * L_cls(real)]. The fake is the
    /// caller's translation when it has one (detached here: D is trained alone), else built without a graph, from
    /// the caller's encoding of x_real when given.</summary>
    public static (Tensor Loss, DLosses Terms) Discriminator(ObjectiveContext c, StepInputs x, Fake fake)
    {
        var (nets, w) = (c.Nets, c.Weights);
        var d = nets.Discriminator ?? throw new InvalidOperationException("the discriminator objective needs the training networks");
        bool r1 = w.LambdaReg > 0;
        var xReal = r1 ? x.XReal.detach().requires_grad_(true) : x.XReal;   // a leaf for the R1 gradient
        Tensor outReal; Tensor? clsReal;
        using (r1 ? Kernels.ConvKernel.TwiceDifferentiated() : null)   // R1 differentiates D's input gradient
            (outReal, clsReal) = d.Judge(xReal, x.YOrg);
        var lossReal = Adversarial(w, outReal, 1);
        var lossReg = r1 ? Losses.R1(outReal, xReal) : null;

        Tensor xFake;
        if (fake.Made is { } made) xFake = made.Image.detach();
        else
            using (no_grad())
                xFake = Translate(nets, x, fake.Source, content: fake.Content).Image;
        var lossFake = Adversarial(w, d.call(xFake, x.YTrg), 0);

        var loss = lossReal + lossFake;
        if (lossReg is not null) loss = loss + w.LambdaReg * lossReg;
        var lossCls = clsReal is null ? null : Losses.DomainClassification(clsReal, x.YOrg);
        if (lossCls is not null) loss = loss + w.LambdaCls * lossCls;
        var lossGp = IsWasserstein(w) && w.LambdaGp > 0 ? GradientPenalty(d, x, xFake, fake.Source) : null;
        if (lossGp is not null) loss = loss + w.LambdaGp * lossGp;
        return (loss, new DLosses(loss.ToSingle(), lossReal.ToSingle(), lossFake.ToSingle(), Value(lossReg),
                                  lossCls?.ToSingle(), lossGp?.ToSingle()));
    }

    public static bool IsWasserstein(LossConfig w) => w.Adversarial == AdversarialLoss.WganGp;

    static Tensor Adversarial(LossConfig w, Tensor logits, int target) =>
        IsWasserstein(w) ? Losses.Wasserstein(logits, target) : Losses.Adversarial(logits, target);

    /// <summary>WGAN-GP's penalty at random points between each real and its fake (StarGAN v1 solver), judged for
    /// the fake's target domain (the classifier's single output ignores it).</summary>
    static Tensor GradientPenalty(Discriminator d, StepInputs x, Tensor xFake, StyleSource source)
    {
        using var alpha = x.GpAlpha is { } drawn ? drawn[(int)source] : rand(x.XReal.size(0), 1, 1, 1, device: x.XReal.device);
        var xHat = (alpha * x.XReal.detach() + (1 - alpha) * xFake.detach()).requires_grad_(true);
        using var twice = Kernels.ConvKernel.TwiceDifferentiated();   // the penalty differentiates D's input gradient
        return Losses.GradientPenalty(d.call(xHat, x.YTrg), xHat);
    }

    /// <summary>L_G = L_adv + lambda_sty L_sty - lambda_ds L_ds + lambda_cyc L_cyc [+ lambda_cls L_cls(fake)]. The
    /// fake is the caller's translation when it has one (with its graph), else made here.</summary>
    public static (Tensor Loss, GLosses Terms) Generator(ObjectiveContext c, StepInputs x, Fake fake)
    {
        var (nets, w, lambdaDs, masker) = (c.Nets, c.Weights, c.LambdaDs, c.Masker);
        var d = nets.Discriminator ?? throw new InvalidOperationException("the generator objective needs the discriminator");
        var source = fake.Source;
        var (sTrg, xFake, content) = fake.Made ?? Translate(nets, x, source);
        var (outFake, clsFake) = d.Judge(xFake, x.YTrg);
        var lossAdv = Adversarial(w, outFake, 1);

        Tensor? lossSty = null;
        if (w.LambdaSty > 0)
        {
            var (sPred, sTarget) = nets.Reconstruction(xFake, x.YTrg, sTrg);
            lossSty = Losses.StyleReconstruction(sPred, sTarget);
        }

        Tensor? lossDs = null;
        if (w.LambdaDs > 0)
            lossDs = Losses.DiversitySensitive(xFake, SecondFakeAsConstant(nets, x, source, content));

        Tensor? lossCyc = null;
        if (w.LambdaCyc > 0)
        {
            FaceMasks? recMasks = masker?.Masks(xFake);   // the official recomputes masks from the fake for the cycle
            var sOrg = nets.SourceStyle(x.XReal, x.YOrg);
            var xRec = nets.Generator.forward(xFake, sOrg, recMasks);
            lossCyc = Losses.Cycle(xRec, x.XReal);
        }

        // Same association order as the official expression, so the default configuration's sum is bit-identical.
        var loss = lossAdv;
        if (lossSty is not null) loss = loss + w.LambdaSty * lossSty;
        if (lossDs is not null) loss = loss - lambdaDs * lossDs;
        if (lossCyc is not null) loss = loss + w.LambdaCyc * lossCyc;
        var lossCls = clsFake is null ? null : Losses.DomainClassification(clsFake, x.YTrg);
        if (lossCls is not null) loss = loss + w.LambdaCls * lossCls;
        return (loss, new GLosses(loss.ToSingle(), lossAdv.ToSingle(), Value(lossSty), Value(lossDs), Value(lossCyc), lossCls?.ToSingle()));
    }

    /// <summary>Speed: the diversity term's second fake is a constant of the loss (the official builds its graph, then
    /// detaches it), so it is made without a graph and from the first fake's encoding of x_real: same values and
    /// gradients, one encoder pass and one graph fewer.</summary>
    static Tensor SecondFakeAsConstant(StarGanNets nets, StepInputs x, StyleSource source, GeneratorContent? content)
    {
        using var _ = no_grad();
        return Translate(nets, x, source, second: true, content).Image;
    }

    static double Value(Tensor? term) => term is null ? 0 : term.ToSingle();

    static Tensor TargetStyle(StarGanNets nets, StepInputs x, StyleSource source, bool second) => source switch
    {
        StyleSource.Latent => nets.LatentStyle(second ? x.ZTrg2 : x.ZTrg, x.YTrg),
        _ => nets.ReferenceStyle(second ? x.XRef2 : x.XRef, x.YTrg),
    };
}
