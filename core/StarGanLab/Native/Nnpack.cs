using System.Runtime.InteropServices;

namespace StarGanLab.Native;

/// <summary>Switches libtorch's NNPACK off on CPUs that cannot run it.</summary>
/// <remarks>libtorch tries NNPACK for every float32 CPU convolution with a batch of 16 or more, and where NNPACK does
/// not support the CPU (the AMD EPYC Zen 4 and Zen 5 machines we run on) it logs "Could not initialize NNPACK! Reason:
/// Unsupported hardware." every time: 2,700 lines in the first minute of a quickstart run (its 32-image sample and
/// evaluation batches). Asked once, and switched off when unavailable, the convolution takes the path it took after
/// NNPACK failed anyway, so nothing computed changes and the warning appears at most once. TorchSharp exposes neither
/// switch, so they are called by their exported names in libtorch_cpu.so (at::_nnpack_available and
/// at::Context::setUserEnabledNNPACK, as torch.backends.nnpack.set_flags does).</remarks>
public static unsafe class Nnpack
{
    const string AvailableExport = "_ZN2at4_ops17_nnpack_available4callEv";
    const string ContextExport = "_ZN2at13globalContextEv";
    const string SetEnabledExport = "_ZN2at7Context20setUserEnabledNNPACKEb";
    const string EnabledExport = "_ZNK2at7Context17userEnabledNNPACKEv";

    static IntPtr library;

    /// <summary>Called once, right after the natives load from <paramref name="torchDir"/>. Returns whether NNPACK is
    /// usable (null when this libtorch lacks the exports, e.g. a build without NNPACK: then nothing is changed).</summary>
    internal static bool? DisableWhereUnsupported(string torchDir)
    {
        string path = Path.Combine(torchDir, "libtorch_cpu.so");
        if (!File.Exists(path) || !NativeLibrary.TryLoad(path, out library)) return null;
        if (!NativeLibrary.TryGetExport(library, AvailableExport, out var available)
            || !NativeLibrary.TryGetExport(library, ContextExport, out var context)
            || !NativeLibrary.TryGetExport(library, SetEnabledExport, out var setEnabled))
            return null;
        bool usable = ((delegate* unmanaged<byte>)available)() != 0;
        if (!usable) ((delegate* unmanaged<IntPtr, byte, void>)setEnabled)(((delegate* unmanaged<IntPtr>)context)(), 0);
        return usable;
    }

    /// <summary>libtorch's own switch (torch.backends.nnpack.enabled), or null before the natives are loaded.</summary>
    public static bool? UserEnabled =>
        library != IntPtr.Zero && NativeLibrary.TryGetExport(library, EnabledExport, out var enabled)
        && NativeLibrary.TryGetExport(library, ContextExport, out var context)
            ? ((delegate* unmanaged<IntPtr, byte>)enabled)(((delegate* unmanaged<IntPtr>)context)()) != 0
            : null;
}
