using System.Runtime.InteropServices;

namespace StarGanLab.Native;

/// <summary>Keeps freed CPU tensor memory in the process instead of handing it back to the kernel after every op.</summary>
/// <remarks>
/// libtorch allocates CPU tensors with plain malloc. glibc serves blocks above its mmap threshold (at most 32 MiB)
/// with a fresh mmap and unmaps them on free, so at official widths nearly every activation of a training step
/// (64 px, batch 8: 8 x 256 x 64 x 64 floats = 32 MiB) is new memory the kernel must fault in and zero page by page.
/// At that size a step spent about half its time in the kernel; with mmap off and the heap never trimmed the
/// memory is reused (`stargan bench`, official widths, 64 px batch 8: 63.3 -> 56.4 s/iter; peak RSS 5.3 -> 6.2 GiB).
/// The process keeps its peak heap, which a training run reaches in its first step anyway.
/// Opt out with STARGAN_MALLOC=default (or any GLIBC_TUNABLES malloc setting, which is left to rule).
/// </remarks>
public static class MallocTuning
{
    const int M_TRIM_THRESHOLD = -1, M_MMAP_MAX = -4;

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int Mallopt(int param, int value);

    /// <summary>True when the settings were applied (glibc on Linux, not opted out).</summary>
    public static bool Applied { get; private set; }

    /// <summary>Why the settings were not applied, or null.</summary>
    public static string? SkippedBecause(Func<string, string?> env)
    {
        if (!OperatingSystem.IsLinux()) return "not Linux";
        if (env("STARGAN_MALLOC") is { } v && v.Equals("default", StringComparison.OrdinalIgnoreCase)) return "STARGAN_MALLOC=default";
        if (env("GLIBC_TUNABLES") is { } t && t.Contains("glibc.malloc.", StringComparison.Ordinal)) return "GLIBC_TUNABLES sets malloc";
        return null;
    }

    /// <summary>Idempotent; a C library without mallopt (musl) leaves the defaults.</summary>
    public static void Apply()
    {
        if (Applied || SkippedBecause(Environment.GetEnvironmentVariable) is not null) return;
        try
        {
            // mallopt returns 1 on success. Trim only beyond 1 GiB of free heap top; never mmap (blocks come from the heap).
            Applied = Mallopt(M_TRIM_THRESHOLD, 1 << 30) == 1 & Mallopt(M_MMAP_MAX, 0) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { }
    }
}
