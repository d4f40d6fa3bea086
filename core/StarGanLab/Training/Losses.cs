using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Training;

/// <summary>The StarGAN v2 loss terms (paper section 3.2, eqs. 1-4, and the R1 regulariser of Mescheder et al.).
/// Pure functions of their inputs.</summary>
public static class Losses
{
    /// <summary>Non-saturating adversarial loss: BCE with logits against an all-<paramref name="target"/> label (eq. 1).</summary>
    public static Tensor Adversarial(Tensor logits, int target)
    {
        if (target is not (0 or 1)) throw new ArgumentOutOfRangeException(nameof(target), "target must be 0 or 1");
        using var targets = full_like(logits, target);
        return F.binary_cross_entropy_with_logits(logits, targets);
    }

    /// <summary>Wasserstein critic loss of WGAN-GP as StarGAN v1 trains it: -mean(D(x)) for target 1 (reals for D,
    /// fakes for G), mean(D(x)) for target 0.</summary>
    public static Tensor Wasserstein(Tensor critic, int target)
    {
        if (target is not (0 or 1)) throw new ArgumentOutOfRangeException(nameof(target), "target must be 0 or 1");
        return target == 1 ? -critic.mean() : critic.mean();
    }

    /// <summary>WGAN-GP's penalty (Gulrajani et al. 2017): mean over the batch of (||dD(x_hat)/dx_hat||_2 - 1)^2 at
    /// x_hat between a real and a fake. <paramref name="xHat"/> must require grad and <paramref name="dOut"/> depend on
    /// it; the graph is kept so the penalty can be backpropagated into D.</summary>
    public static Tensor GradientPenalty(Tensor dOut, Tensor xHat)
    {
        using var scope = NewDisposeScope();
        var grad = autograd.grad([dOut.sum()], [xHat], retain_graph: true, create_graph: true)[0];
        var norm = grad.pow(2).view(xHat.size(0), -1).sum(1).sqrt();
        return (norm - 1).pow(2).mean().MoveToOuterDisposeScope();
    }

    /// <summary>Zero-centred gradient penalty on reals: 0.5 * mean over the batch of ||dD(x)/dx||^2.
    /// <paramref name="xIn"/> must require grad and <paramref name="dOut"/> must depend on it; the graph is
    /// kept (create_graph) so the penalty itself can be backpropagated into D's weights.</summary>
    public static Tensor R1(Tensor dOut, Tensor xIn)
    {
        using var scope = NewDisposeScope();
        var grad = autograd.grad([dOut.sum()], [xIn], retain_graph: true, create_graph: true)[0];
        return (0.5 * grad.pow(2).view(xIn.size(0), -1).sum(1).mean()).MoveToOuterDisposeScope();
    }

    /// <summary>Style reconstruction: mean |E(G(x, s), y) - s| (eq. 2).</summary>
    public static Tensor StyleReconstruction(Tensor sPred, Tensor sTrg) => (sPred - sTrg).abs().mean();

    /// <summary>Diversity sensitive: mean |G(x, s1) - G(x, s2)| with the second fake treated as a constant (eq. 3;
    /// the official code detaches it). Maximised, so it enters the G objective with a minus sign.</summary>
    public static Tensor DiversitySensitive(Tensor xFake, Tensor xFake2) => (xFake - xFake2.detach()).abs().mean();

    /// <summary>Cycle consistency: mean |G(G(x, s_trg), s_org) - x| (eq. 4).</summary>
    public static Tensor Cycle(Tensor xRec, Tensor xReal) => (xRec - xReal).abs().mean();

    /// <summary>Domain classification of StarGAN v1 (its eq. 2 and 3): mean cross-entropy of the classifier logits
    /// (B, num_domains) against the labels <paramref name="y"/> (B): the real's own domain when training D, the target
    /// domain of a fake when training G.</summary>
    public static Tensor DomainClassification(Tensor logits, Tensor y) => F.cross_entropy(logits, y);
}
