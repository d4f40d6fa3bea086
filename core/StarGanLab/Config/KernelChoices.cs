namespace StarGanLab.Config;

/// <summary>The values of the config key <c>kernels</c>. Their meaning is in Kernels/KernelSetting; they are listed here
/// so that validating a config needs nothing from a layer above Config.</summary>
public static class KernelChoices
{
    public const string Auto = "auto", Native = "native", Padded = "padded";
    public static readonly string[] All = [Auto, Native, Padded];
}
