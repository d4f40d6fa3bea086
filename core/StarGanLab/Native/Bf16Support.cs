using TorchSharp;

namespace StarGanLab.Native;

/// <summary>Whether this machine computes bfloat16 in hardware. libtorch runs bfloat16 anywhere, but without the
/// instructions it converts to float32 around every product, which gains no speed and loses precision, so
/// train.precision: bf16 is refused there.</summary>
public static class Bf16Support
{
    /// <summary>The /proc/cpuinfo flags of x86 CPUs with bfloat16 dot products (AVX-512 BF16, AMX).</summary>
    public static readonly IReadOnlyList<string> CpuFlags = ["avx512_bf16", "amx_bf16"];

    /// <summary>Throws, naming train.precision and the missing flags, unless <paramref name="device"/> computes
    /// bfloat16 in hardware.</summary>
    public static void Require(torch.Device device)
    {
        if (Refusal(device.type, ReadCpuInfo()) is { } why) throw new NotSupportedException(why);
    }

    /// <summary>Null when bfloat16 is supported; else the reason, for a CPU described by <paramref name="cpuinfo"/>
    /// (the text of /proc/cpuinfo, null where there is none). CUDA devices are allowed: TorchSharp reads no compute
    /// capability, and every CUDA GPU libtorch 2.10 supports runs bfloat16 (natively from compute capability 8.0).</summary>
    public static string? Refusal(DeviceType device, string? cpuinfo)
    {
        if (device == DeviceType.CUDA) return null;
        if (device != DeviceType.CPU)
            return $"train.precision: bf16 is supported on the CPU and CUDA only, not on {device}; set train.precision: fp32";
        var (model, flags) = Parse(cpuinfo);
        if (CpuFlags.Any(flags.Contains)) return null;
        string cpu = model is null ? "this CPU" : $"this CPU ({model})";
        string source = cpuinfo is null ? "/proc/cpuinfo cannot be read, so no flag is known" : "its /proc/cpuinfo flags have neither";
        return $"train.precision: bf16 needs a CPU with bfloat16 instructions (flag {string.Join(" or ", CpuFlags)}); " +
               $"{cpu} lacks them ({source}), and emulated bfloat16 gains no speed over float32; set train.precision: fp32";
    }

    /// <summary>The first processor's model name and flags.</summary>
    static (string? Model, HashSet<string> Flags) Parse(string? cpuinfo)
    {
        string? model = null;
        HashSet<string>? flags = null;
        foreach (var line in (cpuinfo ?? "").Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon < 0) continue;
            string key = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
            if (key == "model name") model ??= value;
            if (key == "flags") flags ??= [.. value.Split(' ', StringSplitOptions.RemoveEmptyEntries)];
            if (model != null && flags != null) break;
        }
        return (model, flags ?? []);
    }

    static string? ReadCpuInfo()
    {
        try { return File.ReadAllText("/proc/cpuinfo"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
