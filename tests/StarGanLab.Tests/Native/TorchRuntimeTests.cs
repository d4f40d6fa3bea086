using StarGanLab.Native;
using TorchSharp;
using Xunit;

namespace StarGanLab.Tests.Native;

public class TorchRuntimeTests : TorchTest
{
    [Fact]
    public void Loads_our_libtorch_and_double_backprop_works()
    {
        // d/dx of d(sum x^3)/dx = 6x: needs create_graph and retain_graph, as R1 does.
        var x = torch.tensor(new float[] { 1, 2, 3 }, requires_grad: true);
        var g = torch.autograd.grad([(x * x * x).sum()], [x], retain_graph: true, create_graph: true)[0];
        var gg = torch.autograd.grad([g.sum()], [x])[0];
        Assert.Equal(new float[] { 6, 12, 18 }, gg.data<float>().ToArray());
        Assert.StartsWith("2.", torch.__version__);
        Assert.NotNull(TorchRuntime.NativeDirectory);
    }

    [Fact]
    public void Native_library_beside_the_tests_has_the_glibcxx_need_weakened()
    {
        string lib = Path.Combine(TorchRuntime.NativeDirectory!, "libLibTorchSharp.so");
        var result = ElfVersionPatcher.Weaken(lib, TorchRuntime.WeakVersions, dryRun: true);
        Assert.Equal(0, result.Patched);
        Assert.Equal(1, result.AlreadyWeak);
    }

    [Fact]
    public void Patcher_is_idempotent_and_rejects_non_elf_files()
    {
        string dir = Directory.CreateTempSubdirectory("elfpatch").FullName;
        string copy = Path.Combine(dir, "lib.so");
        File.Copy(Path.Combine(TorchRuntime.NativeDirectory!, "libLibTorchSharp.so"), copy);
        Assert.Equal(0, ElfVersionPatcher.Weaken(copy, TorchRuntime.WeakVersions).Patched);
        byte[] before = File.ReadAllBytes(copy);
        ElfVersionPatcher.Weaken(copy, TorchRuntime.WeakVersions);
        Assert.Equal(before, File.ReadAllBytes(copy));

        string text = Path.Combine(dir, "not.so");
        File.WriteAllText(text, "hello, this is not an ELF file at all........................................");
        var ex = Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.Weaken(text, TorchRuntime.WeakVersions));
        Assert.Contains("not.so", ex.Message);
        Directory.Delete(dir, true);
    }

    [Fact]
    public void Device_names_are_validated()
    {
        Assert.Equal(DeviceType.CPU, TorchRuntime.ResolveDevice("cpu").type);
        Assert.Equal(DeviceType.CPU, TorchRuntime.ResolveDevice("auto").type);   // no GPU here
        var ex = Assert.Throws<ArgumentException>(() => TorchRuntime.ResolveDevice("tpu"));
        Assert.Contains("tpu", ex.Message);
    }
}
