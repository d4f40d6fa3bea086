using StarGanLab.Checkpoints;
using Xunit;
using static StarGanLab.Tests.Checkpoints.CheckpointTestSupport;

namespace StarGanLab.Tests.Checkpoints;

/// <summary>Crafted files: code-executing globals, huge sizes, path traversal. All must be refused cleanly.</summary>
public class HostileCheckpointTests : IDisposable
{
    readonly string dir = TempDir();

    public void Dispose() => Directory.Delete(dir, true);

    public static TheoryData<string, string, bool> Exploits => new()
    {
        { "os", "system", false },
        { "builtins", "eval", false },
        { "__builtin__", "eval", false },
        { "subprocess", "Popen", false },
        { "posix", "system", true },          // protocol 4 STACK_GLOBAL
        { "torch", "load", false },            // torch, but not on the allowlist
        { "collections", "defaultdict", false },
    };

    [Theory, MemberData(nameof(Exploits))]
    public void Legacy_file_with_forbidden_global_is_refused_naming_it(string module, string name, bool stackGlobal)
    {
        string path = Path.Combine(dir, "evil.legacy.ckpt");
        File.WriteAllBytes(path, [.. PickleBuilder.LegacyPreamble(), .. PickleBuilder.Exploit(module, name, stackGlobal)]);
        var e = Assert.Throws<CheckpointException>(() => OfficialCheckpoint.Read(path));
        Assert.Contains($"'{module}.{name}'", e.Message);
        Assert.Contains(path, e.Message);
        Assert.False(File.Exists("/tmp/pwned"));
    }

    [Theory, MemberData(nameof(Exploits))]
    public void Zip_file_with_forbidden_global_is_refused_naming_it(string module, string name, bool stackGlobal)
    {
        string path = Path.Combine(dir, "evil.ckpt");
        PickleBuilder.WriteZip(path, ("evil/data.pkl", PickleBuilder.Exploit(module, name, stackGlobal)), ("evil/version", "3\n"u8.ToArray()));
        var e = Assert.Throws<CheckpointException>(() => OfficialCheckpoint.Read(path));
        Assert.Contains($"'{module}.{name}'", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Bare_pickle_without_the_legacy_magic_is_not_even_unpickled()
    {
        string path = Path.Combine(dir, "evil2.ckpt");
        File.WriteAllBytes(path, PickleBuilder.Exploit("os", "system"));
        var e = Assert.Throws<CheckpointException>(() => OfficialCheckpoint.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("expected a PyTorch checkpoint", e.Message);
    }

    [Fact]
    public void Zip_storage_numel_larger_than_the_file_is_refused_before_allocating()
    {
        string path = Path.Combine(dir, "huge.ckpt");
        const long numel = 1L << 40;   // 4 TiB of float32
        PickleBuilder.WriteZip(path, ("huge/data.pkl", PickleBuilder.StateDict(numel, numel, 1)), ("huge/data/0", new byte[16]), ("huge/version", "3\n"u8.ToArray()));
        var e = Assert.Throws<CheckpointException>(() => OfficialCheckpoint.Read(path));
        Assert.Contains("claims 1099511627776 float32 elements", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Legacy_storage_numel_larger_than_the_file_is_refused_before_allocating()
    {
        string path = Path.Combine(dir, "huge.legacy.ckpt");
        File.WriteAllBytes(path, [.. PickleBuilder.LegacyPreamble(), .. PickleBuilder.StateDict(1L << 40, 4, 1, legacyPid: true)]);
        Assert.Contains("claims 1099511627776 float32 elements", Assert.Throws<CheckpointException>(() => OfficialCheckpoint.Read(path)).Message);
    }

    [Fact]
    public void Legacy_element_count_that_disagrees_with_the_pickle_is_refused()
    {
        string path = Path.Combine(dir, "count.legacy.ckpt");
        var keys = new PickleBuilder().Proto().Op(']').Str("0").Op('a').Stop().Bytes();
        File.WriteAllBytes(path, [.. PickleBuilder.LegacyPreamble(), .. PickleBuilder.StateDict(4, 4, 1, legacyPid: true), .. keys,
            .. BitConverter.GetBytes(1L << 40), .. new byte[16]]);
        Assert.Contains("holds 1099511627776 elements but the pickle said 4", Assert.Throws<CheckpointException>(() => OfficialCheckpoint.Read(path)).Message);
    }

    [Fact]
    public void View_reaching_outside_its_storage_is_refused()
    {
        string path = Path.Combine(dir, "view.ckpt");
        // A zero-stride view of 10^9 elements over a 4-element storage would make the copy allocate 4 GB.
        PickleBuilder.WriteZip(path, ("view/data.pkl", PickleBuilder.StateDict(4, 1_000_000_000, 0)), ("view/data/0", new byte[16]), ("view/version", "3\n"u8.ToArray()));
        Assert.Contains("reaches outside its storage", Assert.Throws<CheckpointException>(() => OfficialCheckpoint.Read(path)).Message);
        PickleBuilder.WriteZip(path, ("view/data.pkl", PickleBuilder.StateDict(4, 5, 1)), ("view/data/0", new byte[16]), ("view/version", "3\n"u8.ToArray()));
        Assert.Contains("reaches outside its storage", Assert.Throws<CheckpointException>(() => OfficialCheckpoint.Read(path)).Message);
    }

    [Fact]
    public void Well_formed_crafted_state_dict_is_read()
    {
        // The same builder with honest sizes is accepted: the refusals above are about the sizes, not the builder.
        string path = Path.Combine(dir, "ok.ckpt");
        var data = new byte[16];
        BitConverter.GetBytes(2.5f).CopyTo(data, 12);
        PickleBuilder.WriteZip(path, ("ok/data.pkl", PickleBuilder.StateDict(4, 4, 1)), ("ok/data/0", data), ("ok/version", "3\n"u8.ToArray()));
        var nets = OfficialCheckpoint.Read(path);
        Assert.Equal([0f, 0f, 0f, 2.5f], nets["net"]["w"].data<float>().ToArray());
        CheckpointTestSupport.Dispose(nets);
    }

    [Theory]
    [InlineData("../evil/data.pkl")]
    [InlineData("ok/../../evil")]
    [InlineData("/etc/passwd")]
    [InlineData("ok\\..\\evil")]
    public void Zip_entry_with_traversal_or_absolute_path_is_refused(string name)
    {
        string path = Path.Combine(dir, "slip.ckpt");
        PickleBuilder.WriteZip(path, ("ok/data.pkl", PickleBuilder.StateDict(4, 4, 1)), ("ok/data/0", new byte[16]), (name, [1, 2, 3]));
        var e = Assert.Throws<CheckpointException>(() => OfficialCheckpoint.Read(path));
        Assert.Contains($"refusing zip entry '{name}'", e.Message);
        Assert.DoesNotContain(Directory.GetFiles(dir), f => !f.EndsWith("slip.ckpt"));
    }

    [Fact]
    public void Zip_with_duplicate_entry_names_is_refused()
    {
        string path = Path.Combine(dir, "dup.ckpt");
        PickleBuilder.WriteZip(path, ("ok/data.pkl", PickleBuilder.StateDict(4, 4, 1)), ("ok/data/0", new byte[16]), ("ok/data/0", new byte[16]));
        Assert.Contains("'ok/data/0' occurs more than once", Assert.Throws<CheckpointException>(() => OfficialCheckpoint.Read(path)).Message);
    }

    [Fact]
    public void Truncated_and_corrupt_torch_files_are_refused_with_the_file_name()
    {
        string good = Path.Combine(dir, "good.ckpt");
        OfficialCheckpoint.Write(good, RandomNets());
        var bytes = File.ReadAllBytes(good);
        string cut = Path.Combine(dir, "cut.ckpt");
        foreach (int n in new[] { 2, 4, 100, bytes.Length / 2, bytes.Length - 1 })
        {
            File.WriteAllBytes(cut, bytes[..n]);
            var e = Assert.Throws<CheckpointException>(() => OfficialCheckpoint.Read(cut));
            Assert.Contains(cut, e.Message);
        }
        // A flipped byte inside a stored tensor is caught by the zip CRC.
        var flipped = (byte[])bytes.Clone();
        int at = bytes.AsSpan().IndexOf("good/data/0"u8);
        int data = at + "good/data/0".Length + BitConverter.ToUInt16(bytes, at - 2);
        flipped[data] ^= 0xff;
        File.WriteAllBytes(cut, flipped);
        Assert.Contains(cut, Assert.Throws<CheckpointException>(() => OfficialCheckpoint.Read(cut)).Message);
    }

    [FixtureFact("hpf/000000_generator.legacy.ckpt")]
    public void Truncated_legacy_fixture_is_refused()
    {
        var bytes = File.ReadAllBytes(Fixtures.Parity("hpf", "000000_generator.legacy.ckpt"));
        string cut = Path.Combine(dir, "cut.legacy.ckpt");
        foreach (int n in new[] { 3, 20, 1000, bytes.Length / 2, bytes.Length - 1 })
        {
            File.WriteAllBytes(cut, bytes[..n]);
            var e = Assert.Throws<CheckpointException>(() => OfficialCheckpoint.Read(cut));
            Assert.Contains(cut, e.Message);
        }
    }
}
