using StarGanLab.Native;
using TorchSharp;
using Xunit;

namespace StarGanLab.Tests.Native;

/// <summary>train.precision: bf16 is allowed only where the hardware computes bfloat16, read from an injected
/// /proc/cpuinfo so that the refusal is tested whatever CPU runs the tests.</summary>
public class Bf16SupportTests
{
    static string CpuInfo(string flags) =>
        $"processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Test CPU 9000\nflags\t\t: {flags}\n\n" +
        $"processor\t: 1\nmodel name\t: Test CPU 9000\nflags\t\t: {flags}\n";

    [Theory]
    [InlineData("fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni")]
    [InlineData("fpu sse2 avx2 avx512f amx_bf16 amx_tile")]
    public void A_cpu_with_bfloat16_instructions_is_allowed(string flags) =>
        Assert.Null(Bf16Support.Refusal(DeviceType.CPU, CpuInfo(flags)));

    [Fact]
    public void A_cpu_without_them_is_refused_naming_the_key_the_cpu_and_the_missing_flags()
    {
        // avx512bw and avx512_vnni are near misses by name; only the bf16 flags count.
        string? why = Bf16Support.Refusal(DeviceType.CPU, CpuInfo("fpu sse2 avx2 avx512f avx512bw avx512_vnni"));
        Assert.NotNull(why);
        Assert.Contains("train.precision: bf16", why);
        Assert.Contains("avx512_bf16 or amx_bf16", why);
        Assert.Contains("Test CPU 9000", why);
        Assert.Contains("set train.precision: fp32", why);
    }

    [Fact]
    public void A_flag_is_matched_as_a_whole_word()
    {
        Assert.NotNull(Bf16Support.Refusal(DeviceType.CPU, CpuInfo("fpu xavx512_bf16 amx_bf16x")));
    }

    [Fact]
    public void An_unreadable_cpuinfo_is_refused_and_says_so()
    {
        string? why = Bf16Support.Refusal(DeviceType.CPU, null);
        Assert.NotNull(why);
        Assert.Contains("/proc/cpuinfo cannot be read", why);
    }

    [Fact]
    public void Cuda_is_allowed_whatever_the_cpu()
    {
        Assert.Null(Bf16Support.Refusal(DeviceType.CUDA, CpuInfo("fpu sse2")));
    }
}
