namespace StarGanLab.Config;

// The model and loss variants of the paper's Table 1. In YAML each is the member's snake_case name (adain,
// multitask, wgan_gp, ...): the config loader refuses anything else and names the choices, so the code only ever
// sees these enums and the compiler checks every switch over them.

/// <summary>How the generator receives its target (model.injection).</summary>
public enum InjectionMode
{
    /// <summary>A code modulates every decoder block through AdaIN (official).</summary>
    Adain,
    /// <summary>StarGAN v1: the one-hot domain label replicated over the image and concatenated to the input.</summary>
    Concat,
}

/// <summary>What the generator's code is (model.style_source).</summary>
public enum StyleCode
{
    /// <summary>Domain-specific style codes from the mapping network F and the style encoder E (official).</summary>
    Style,
    /// <summary>The one-hot target domain and a latent code z; a domain-shared E(x) for the latent reconstruction.</summary>
    Latent,
    /// <summary>The one-hot target domain only: one deterministic output per domain.</summary>
    Domain,
}

/// <summary>The discriminator's outputs (model.discriminator).</summary>
public enum DiscriminatorHead
{
    /// <summary>One real/fake output per domain (official).</summary>
    Multitask,
    /// <summary>StarGAN v1's ACGAN discriminator: one real/fake output and a domain classifier.</summary>
    Classifier,
}

/// <summary>The adversarial loss (loss.adversarial).</summary>
public enum AdversarialLoss
{
    /// <summary>Non-saturating BCE with logits (official).</summary>
    Nonsaturating,
    /// <summary>StarGAN v1's Wasserstein loss with a gradient penalty on interpolates.</summary>
    WganGp,
}
