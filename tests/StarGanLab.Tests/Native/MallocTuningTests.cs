using StarGanLab.Native;
using Xunit;

namespace StarGanLab.Tests.Native;

public class MallocTuningTests
{
    [Fact]
    public void Applies_on_glibc_linux_once_torch_is_loaded()
    {
        TorchRuntime.EnsureLoaded();
        if (MallocTuning.SkippedBecause(Environment.GetEnvironmentVariable) is { } reason)
        {
            Assert.False(MallocTuning.Applied, reason);
            return;
        }
        Assert.True(MallocTuning.Applied, "mallopt should be found in glibc and accept both settings");
    }

    [Theory]
    [InlineData("STARGAN_MALLOC", "default", "STARGAN_MALLOC=default")]
    [InlineData("STARGAN_MALLOC", "DEFAULT", "STARGAN_MALLOC=default")]
    [InlineData("GLIBC_TUNABLES", "glibc.malloc.mmap_max=0", "GLIBC_TUNABLES sets malloc")]
    public void Users_settings_win(string name, string value, string expected)
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.Equal(expected, MallocTuning.SkippedBecause(n => n == name ? value : null));
    }

    [Fact]
    public void Unrelated_tunables_do_not_opt_out()
    {
        if (!OperatingSystem.IsLinux()) return;
        Assert.Null(MallocTuning.SkippedBecause(n => n == "GLIBC_TUNABLES" ? "glibc.cpu.hwcaps=-AVX512F" : null));
        Assert.Null(MallocTuning.SkippedBecause(_ => null));
    }
}
