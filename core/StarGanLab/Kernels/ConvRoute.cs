using StarGanLab.Config;

namespace StarGanLab.Kernels;

/// <summary>How convolutions reach libtorch. <see cref="Native"/> hands every shape to libtorch as it is.
/// <see cref="Padded"/> avoids the shapes that libtorch 2.10's oneDNN gets wrong on some CPUs (AMD Zen 5 with
/// avx512_vp2intersect, measured): channel counts are zero-padded to multiples of 16 around the call, and 1x1
/// convolutions run as matrix products. Both compute the same function; only the kernels libtorch picks differ.</summary>
public enum ConvRoute { Native, Padded }

/// <summary>The <c>kernels</c> setting: <c>auto</c> lets the self-check choose, the others force a route.</summary>
public static class KernelSetting
{
    public const string Auto = KernelChoices.Auto, Native = KernelChoices.Native, Padded = KernelChoices.Padded;
    public static IReadOnlyList<string> All => KernelChoices.All;

    /// <summary>Null for auto; throws naming the value and the choices otherwise.</summary>
    public static ConvRoute? Parse(string? value) => (value ?? Auto).Trim().ToLowerInvariant() switch
    {
        Auto or "" => null,
        Native => ConvRoute.Native,
        Padded => ConvRoute.Padded,
        _ => throw new ArgumentException($"kernels '{value}' is not one of {string.Join(", ", All)}"),
    };

    public static string Name(ConvRoute route) => route == ConvRoute.Native ? Native : Padded;
}
