using StarGanLab.Config;

namespace StarGanLab.Networks;

/// <summary>Which networks and code paths a model configuration has (paper section 4.1, Table 1). The official
/// StarGAN v2 is injection adain, style_source style, discriminator multitask; every other combination is an
/// ablation whose absent components are not built.</summary>
public static class ModelVariant
{
    /// <summary>The mapping network F exists only with domain-specific style codes (Table 1 (E), (F)).</summary>
    public static bool HasMappingNetwork(this ModelConfig m) => m.StyleSource == StyleCode.Style;

    /// <summary>E exists with style codes (per-domain heads, style_dim) and with latent injection (one domain-shared
    /// head of latent_dim for the latent reconstruction of Table 1 (D)); a one-hot domain code has no encoder.</summary>
    public static bool HasStyleEncoder(this ModelConfig m) => m.StyleSource is StyleCode.Style or StyleCode.Latent;

    /// <summary>Reference-guided synthesis (E(x_ref, y) as the target code) needs domain-specific style codes.</summary>
    public static bool HasReferences(this ModelConfig m) => m.StyleSource == StyleCode.Style;

    public static bool IsOfficial(this ModelConfig m) => m.Injection == InjectionMode.Adain && m.StyleSource == StyleCode.Style && m.Discriminator == DiscriminatorHead.Multitask;

    /// <summary>Width of the code G receives: a style code, [one-hot(y), z], or one-hot(y) (modulating AdaIN, or
    /// concatenated to the input with injection concat).</summary>
    public static int CodeDim(this ModelConfig m) => m.StyleSource switch
    {
        StyleCode.Style => m.StyleDim,
        StyleCode.Latent => m.NumDomains + m.LatentDim,
        StyleCode.Domain => m.NumDomains,
        _ => throw new ArgumentOutOfRangeException(nameof(m), m.StyleSource, "unknown model.style_source"),
    };

    /// <summary>A one-line description of the variant for error messages.</summary>
    public static string Describe(this ModelConfig m) =>
        $"model.injection {Name(m.Injection)}, model.style_source {Name(m.StyleSource)}, model.discriminator {Name(m.Discriminator)}";

    static string Name(Enum value) => ConfigWriter.EnumName(value);
}
