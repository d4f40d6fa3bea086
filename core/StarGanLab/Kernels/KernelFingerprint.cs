using System.Security.Cryptography;
using System.Text;
using StarGanLab.Native;

namespace StarGanLab.Kernels;

/// <summary>What decides which kernels libtorch runs, and so whether a self-check verdict still holds: the CPU
/// (model name and flags), the libtorch build, and the ISA caps oneDNN and ATen read from the environment.</summary>
public static class KernelFingerprint
{
    // Bump when the checked cases or the routes change: older verdicts then no longer apply.
    const string CheckVersion = "kernel-check 2";
    static readonly string[] IsaVariables = ["ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY", "ONEDNN_DEFAULT_FPMATH_MODE"];

    public static string Cpu { get; } = ReadCpu();

    public static string Machine()
    {
        TorchRuntime.EnsureLoaded();
        var sb = new StringBuilder();
        sb.AppendLine(CheckVersion);
        sb.AppendLine(Cpu);
        sb.AppendLine("TorchSharp " + typeof(TorchSharp.torch).Assembly.GetName().Version);
        string lib = Path.Combine(TorchRuntime.NativeDirectory ?? "", "libtorch_cpu.so");
        sb.AppendLine("libtorch_cpu.so " + (File.Exists(lib) ? new FileInfo(lib).Length : 0));
        foreach (var v in IsaVariables) sb.AppendLine($"{v}={Environment.GetEnvironmentVariable(v)}");
        return sb.ToString();
    }

    /// <summary>The ISA caps that are set, for messages ("none" when libtorch picks the best the CPU has).</summary>
    public static string IsaSetting()
    {
        var set = IsaVariables.Where(v => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v)))
                              .Select(v => $"{v}={Environment.GetEnvironmentVariable(v)}").ToList();
        return set.Count == 0 ? "none" : string.Join(" ", set);
    }

    public static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..20].ToLowerInvariant();

    static string ReadCpu()
    {
        const string path = "/proc/cpuinfo";
        if (!File.Exists(path)) return $"{System.Runtime.InteropServices.RuntimeInformation.OSArchitecture} (no /proc/cpuinfo)";
        string model = "", flags = "";
        foreach (var line in File.ReadLines(path))
        {
            int colon = line.IndexOf(':');
            if (colon < 0) { if (model != "" && flags != "") break; continue; }
            string key = line[..colon].Trim(), value = line[(colon + 1)..].Trim();
            if (key == "model name" && model == "") model = value;
            if (key == "flags" && flags == "") flags = value;
        }
        return $"{model} | flags {flags}";
    }

    /// <summary>Whether the CPU advertises the flag that marks the Zen 5 parts on which libtorch 2.10's oneDNN was
    /// measured wrong; for messages only, the verdict comes from the check.</summary>
    public static bool HasVp2Intersect => Cpu.Contains(" avx512_vp2intersect", StringComparison.Ordinal);
}
