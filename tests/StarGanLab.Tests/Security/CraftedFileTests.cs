using System.IO.Compression;
using System.Text;
using StarGanLab.Checkpoints;
using StarGanLab.Config;
using StarGanLab.Data;
using StarGanLab.IO;
using StarGanLab.Native;
using StarGanLab.Tests.Checkpoints;
using Xunit;

namespace StarGanLab.Tests.Security;

/// <summary>
/// The crafted-file suite of issue 10: every hostile file is refused with an error that names the file and the
/// problem, and loading it has no side effect: nothing is written under the watched folder (which holds the file, the
/// payloads' target and the folders a zip slip would reach) and no child process is started.
/// The pickle payloads are what would run in Python: "touch &lt;canary&gt;; sleep 30".
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class CraftedFileTests : IDisposable
{
    readonly string watched;   // snapshotted before and after each load
    readonly string inbox;     // where the crafted files lie, two levels down so '../' stays inside the watch
    readonly string canary;

    public CraftedFileTests()
    {
        TorchRuntime.EnsureLoaded();
        watched = Directory.CreateTempSubdirectory("sgl-sec-").FullName;
        inbox = Directory.CreateDirectory(Path.Combine(watched, "downloads", "inbox")).FullName;
        canary = Path.Combine(watched, "pwned");
    }

    public void Dispose() => Directory.Delete(watched, true);

    string Payload => $"touch {canary}; sleep 30";

    /// <summary>Runs <paramref name="load"/> under a side-effect watch; it must throw exactly <typeparamref name="TEx"/>
    /// whose message contains every fragment.</summary>
    TEx Refused<TEx>(Func<object?> load, params string[] fragments) where TEx : Exception
    {
        var watch = SideEffectWatch.Start(watched);
        var e = Assert.Throws<TEx>(() =>
        {
            var result = load();
            if (result is IDisposable d) d.Dispose();
        });
        foreach (var f in fragments) Assert.True(e.Message.Contains(f, StringComparison.Ordinal), $"expected '{f}' in: {e.Message}");
        watch.AssertNoSideEffects();
        Assert.False(File.Exists(canary), "the payload ran");
        return e;
    }

    string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(inbox, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    string Checkpoint(string container, byte[] pickle)
    {
        string path = Path.Combine(inbox, $"000000_nets_ema.{container}.ckpt");
        CraftedFiles.Checkpoint(path, container, pickle);
        return path;
    }

    static readonly string[] Containers = ["zip", "legacy"];

    // ---- pickles that would run code in Python ----

    public static TheoryData<string, string, string, bool> CodeGlobals()
    {
        var data = new TheoryData<string, string, string, bool>();
        (string, string, bool)[] globals =
        [
            ("os", "system", false), ("posix", "system", true), ("nt", "system", false),
            ("builtins", "eval", false), ("builtins", "exec", true), ("__builtin__", "eval", false),
            ("subprocess", "Popen", false), ("subprocess", "check_output", true),
            ("builtins", "getattr", false), ("importlib", "import_module", false), ("runpy", "_run_code", false),
            ("torch", "load", false), ("torch.jit", "load", false), ("numpy.core.multiarray", "_reconstruct", false),
        ];
        foreach (var c in Containers)
            foreach (var (m, n, stack) in globals) data.Add(c, m, n, stack);
        return data;
    }

    [Theory, MemberData(nameof(CodeGlobals))]
    public void Pickle_calling_a_code_executing_global_is_refused_naming_it(string container, string module, string name, bool stackGlobal)
    {
        var p = new PickleBuilder().Proto(stackGlobal ? (byte)4 : (byte)2);
        (stackGlobal ? p.StackGlobal(module, name) : p.Global(module, name)).Str(Payload).Tuple1().Reduce().Stop();
        string path = Checkpoint(container, p.Bytes());
        Refused<CheckpointException>(() => OfficialCheckpoint.Read(path), path, $"refusing pickle global '{module}.{name}'");
    }

    /// <summary>Chains that start from an allowed global or a built object and try to reach a call we do not implement.</summary>
    public static TheoryData<string, string, string> Chains()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var c in Containers)
        {
            data.Add(c, "storage class called", "'torch.FloatStorage' may appear in a checkpoint only as a storage type, not be called");
            data.Add(c, "BUILD state smuggling os.system", "refusing pickle global 'os.system'");
            data.Add(c, "REDUCE of a built OrderedDict", "REDUCE of something that is not an allowed global");
            data.Add(c, "OrderedDict fed os.system", "refusing pickle global 'os.system'");
            data.Add(c, "BUILD on a storage class", "SETITEM/BUILD on something that is not a dict");
            data.Add(c, "getattr on OrderedDict", "refusing pickle global 'builtins.getattr'");
            data.Add(c, "rebuild_parameter on a string", "_rebuild_parameter expects (tensor, requires_grad, backward_hooks)");
            data.Add(c, "rebuild_tensor_v2 with hooks", "_rebuild_tensor_v2 expects a storage");
        }
        return data;
    }

    [Theory, MemberData(nameof(Chains))]
    public void Reduce_and_build_chains_on_allowed_classes_cannot_reach_a_disallowed_callable(string container, string chain, string expected)
    {
        var p = new PickleBuilder().Proto();
        PickleBuilder OrderedDict() => p.Global("collections", "OrderedDict").EmptyTuple().Reduce();
        switch (chain)
        {
            case "storage class called": p.Global("torch", "FloatStorage").Long(1L << 20).Tuple1().Reduce(); break;
            case "BUILD state smuggling os.system":
                OrderedDict().EmptyDict().Str("__setstate__").Global("os", "system").SetItem().Op('b'); break;
            case "REDUCE of a built OrderedDict": OrderedDict().Str(Payload).Tuple1().Reduce(); break;
            case "OrderedDict fed os.system": p.Global("collections", "OrderedDict").Global("os", "system").Tuple1().Reduce(); break;
            case "BUILD on a storage class": p.Global("torch", "FloatStorage").EmptyDict().Str("x").Str(Payload).SetItem().Op('b'); break;
            case "getattr on OrderedDict":
                p.Global("builtins", "getattr").Global("collections", "OrderedDict").Str("fromkeys").Op(0x86).Reduce(); break;
            case "rebuild_parameter on a string":
                p.Global("torch._utils", "_rebuild_parameter").Str(Payload).False().EmptyDict().Op(0x87).Reduce(); break;
            case "rebuild_tensor_v2 with hooks":
                p.Global("torch._utils", "_rebuild_tensor_v2").Mark().Str(Payload).Long(0).EmptyTuple().EmptyTuple().False()
                    .Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce(); break;
        }
        string path = Checkpoint(container, p.Stop().Bytes());
        Refused<CheckpointException>(() => OfficialCheckpoint.Read(path), path, expected);
    }

    /// <summary>INST, OBJ, NEWOBJ, NEWOBJ_EX (instantiate a class), EXT1/2/4 (globals from the copyreg registry) and
    /// text PERSID are never needed by a state dict; they are refused as opcodes, whatever they would build.</summary>
    public static TheoryData<string, string, int> ObjectOpcodes()
    {
        var data = new TheoryData<string, string, int>();
        foreach (var c in Containers)
        {
            data.Add(c, "INST os.system", 'i');
            data.Add(c, "OBJ OrderedDict", 'o');
            data.Add(c, "NEWOBJ OrderedDict", 0x81);
            data.Add(c, "NEWOBJ_EX OrderedDict", 0x92);
            data.Add(c, "EXT1", 0x82);
            data.Add(c, "EXT2", 0x83);
            data.Add(c, "EXT4", 0x84);
            data.Add(c, "PERSID", 'P');
        }
        return data;
    }

    [Theory, MemberData(nameof(ObjectOpcodes))]
    public void Object_building_opcodes_are_refused(string container, string what, int opcode)
    {
        var p = new PickleBuilder().Proto(4);
        switch (what)
        {
            case "INST os.system": p.Mark().Str(Payload).Op('i').Raw("os\nsystem\n"u8.ToArray()); break;
            case "OBJ OrderedDict": p.Mark().Global("collections", "OrderedDict").Op('o'); break;
            case "NEWOBJ OrderedDict": p.Global("collections", "OrderedDict").EmptyTuple().Op(0x81); break;
            case "NEWOBJ_EX OrderedDict": p.Global("collections", "OrderedDict").EmptyTuple().EmptyDict().Op(0x92); break;
            case "EXT1": p.Op(0x82).Op(1); break;
            case "EXT2": p.Op(0x83).Op(1).Op(0); break;
            case "EXT4": p.Op(0x84).Raw([1, 0, 0, 0]); break;
            case "PERSID": p.Op('P').Raw("0\n"u8.ToArray()); break;
        }
        string path = Checkpoint(container, p.Stop().Bytes());
        Refused<CheckpointException>(() => OfficialCheckpoint.Read(path), path, $"pickle opcode 0x{opcode:x2}", "is not allowed in a state-dict checkpoint");
    }

    // ---- oversized headers and storages ----

    public static TheoryData<string, string, string> Oversized()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var c in Containers)
        {
            data.Add(c, "BINUNICODE 2 GiB", "claims 2147483647 bytes but only");
            data.Add(c, "BINUNICODE8 2^62", "claims 4611686018427387904 bytes but only");
            data.Add(c, "BINBYTES 4 GiB", "claims 4294967295 bytes but only");
            data.Add(c, "LONG4 2 GiB", "claims 2147483647 bytes but only");
            data.Add(c, "storage of 2^40 floats", "claims 1099511627776 float32 elements");
        }
        return data;
    }

    [Theory, MemberData(nameof(Oversized))]
    public void Oversized_lengths_and_storages_are_refused_before_allocating(string container, string what, string expected)
    {
        var p = new PickleBuilder().Proto(4);
        switch (what)
        {
            case "BINUNICODE 2 GiB": p.Op('X').Raw(BitConverter.GetBytes(int.MaxValue)).Raw("abc"u8.ToArray()); break;
            case "BINUNICODE8 2^62": p.Op(0x8d).Raw(BitConverter.GetBytes(1L << 62)).Raw("abc"u8.ToArray()); break;
            case "BINBYTES 4 GiB": p.Op('B').Raw(BitConverter.GetBytes(uint.MaxValue)).Raw("abc"u8.ToArray()); break;
            case "LONG4 2 GiB": p.Op(0x8b).Raw(BitConverter.GetBytes(int.MaxValue)).Raw("abc"u8.ToArray()); break;
        }
        byte[] pickle = what == "storage of 2^40 floats"
            ? PickleBuilder.StateDict(1L << 40, 4, 1, legacyPid: container == "legacy")
            : p.Stop().Bytes();
        string path = Checkpoint(container, pickle);
        Refused<CheckpointException>(() => OfficialCheckpoint.Read(path), path, expected);
    }

    [Theory]
    [InlineData("zip")]
    [InlineData("legacy")]
    public void Deeply_nested_pickle_is_refused_without_recursing(string container)
    {
        // 200,000 nested lists: a recursive reader would overflow the stack and kill the process.
        const int depth = 200_000;
        var p = new PickleBuilder().Proto();
        for (int i = 0; i < depth; i++) p.Op(']');
        for (int i = 1; i < depth; i++) p.Op('a');
        string path = Checkpoint(container, p.Stop().Bytes());
        Refused<CheckpointException>(() => OfficialCheckpoint.Read(path), path);
    }

    [Theory]
    [InlineData("(100000, 100000, 100)", "needs 4000000000000 bytes, more than the limit of")]
    [InlineData("(4294967296, 4294967296)", "is too large")]        // 2^64 elements: would wrap to 0 unchecked
    [InlineData("(-1, 4)", "not a non-negative integer")]
    [InlineData("(1000, 1000)", "truncated .npy file")]
    public void Npy_and_npz_with_an_oversized_shape_are_refused_before_allocating(string shape, string expected)
    {
        var npy = CraftedFiles.Npy("<f4", shape, new byte[16]);
        string file = Write("mean.npy", npy);
        Refused<InvalidDataException>(() => Npy.Read(file), file, expected);
        string npz = Write("celeba_lm_mean.npz", CraftedFiles.Zip([("x.npy", npy)]));
        Refused<InvalidDataException>(() => Npz.Read(npz), npz, expected);
    }

    // ---- zip slip ----

    [Theory]
    [InlineData("../escaped.txt")]
    [InlineData("../../escaped.txt")]
    [InlineData("evil/../../../escaped.txt")]
    [InlineData("/tmp/escaped.txt")]
    [InlineData("..\\escaped.txt")]
    [InlineData("C:/escaped.txt")]
    public void Zip_slip_entries_are_refused_in_checkpoints_and_npz(string name)
    {
        string ckpt = Path.Combine(inbox, "slip.ckpt");
        PickleBuilder.WriteZip(ckpt, ("ok/data.pkl", PickleBuilder.StateDict(4, 4, 1)), ("ok/data/0", new byte[16]), (name, "pwned"u8.ToArray()));
        Refused<CheckpointException>(() => OfficialCheckpoint.Read(ckpt), ckpt, $"refusing zip entry '{name}'");

        string npz = Write("slip.npz", CraftedFiles.Zip([("ok.npy", CraftedFiles.Npy("<f4", "(4,)", new byte[16])), (name + ".npy", [1, 2, 3])]));
        Refused<InvalidDataException>(() => Npz.Read(npz), npz, $"entry '{name}.npy' is not a plain <name>.npy array entry");
    }

    // ---- zip bombs ----

    [Fact]
    public void Npz_with_too_many_entries_is_refused_before_reading_any()
    {
        var one = CraftedFiles.Npy("|u1", "(1,)", [7]);
        string npz = Write("many.npz", CraftedFiles.Zip(Enumerable.Range(0, 4097).Select(i => ($"a{i}.npy", one))));
        Refused<InvalidDataException>(() => Npz.Read(npz), npz, "has 4097 entries, more than the limit of 4096");
        Assert.Equal(3, Npz.Read(Write("few.npz", CraftedFiles.Zip(Enumerable.Range(0, 3).Select(i => ($"a{i}.npy", one))))).Count);
    }

    [Fact]
    public void Npz_whose_entries_declare_a_huge_total_is_refused_before_inflating()
    {
        var npy = CraftedFiles.Npy("<f4", "(4,)", new byte[16]);
        // Three entries declaring 1.5 GiB each: under the per-entry limit, 4.5 GiB together.
        var zip = CraftedFiles.ForgeUncompressedSizes(CraftedFiles.Zip([("a.npy", npy), ("b.npy", npy), ("c.npy", npy)], CompressionLevel.Optimal), 0x6000_0000);
        string npz = Write("declared.npz", zip);
        Refused<InvalidDataException>(() => Npz.Read(npz), npz, "more than 4294967296 uncompressed bytes in all (zip bomb?)");
        string one = Write("one.npz", CraftedFiles.ForgeUncompressedSizes(CraftedFiles.Zip([("a.npy", npy)], CompressionLevel.Optimal), 0xFFFF_FFF0));
        Refused<InvalidDataException>(() => Npz.Read(one), one, "is 4294967280 bytes, more than 2147483648");
    }

    [Fact]
    public void Npz_entry_that_inflates_past_its_declared_size_is_cut_off()
    {
        // 64 MiB of zeros deflate to ~64 KiB; the headers claim 4 KiB.
        var npy = CraftedFiles.Npy("|u1", $"({64 << 20},)", new byte[64 << 20]);
        string npz = Write("bomb.npz", CraftedFiles.ForgeUncompressedSizes(CraftedFiles.Zip([("x.npy", npy)], CompressionLevel.Optimal), 4096));
        Assert.True(new FileInfo(npz).Length < 1 << 20);
        // At most the declared 4 KiB is inflated (System.IO.Compression stops the entry stream there, and Npz's copy is
        // bounded by the declared size as well), so the array comes out truncated instead of 64 MiB being inflated.
        Refused<InvalidDataException>(() => Npz.Read(npz), npz + "[x.npy]", "truncated .npy file", "found 3968");
    }

    [Fact]
    public void Checkpoint_zip_with_too_many_entries_is_refused()
    {
        string path = Path.Combine(inbox, "many.ckpt");
        var entries = new List<(string, byte[])> { ("ok/data.pkl", PickleBuilder.StateDict(4, 4, 1)), ("ok/data/0", new byte[16]) };
        entries.AddRange(Enumerable.Range(0, PyTorchZipReader.MaxEntries).Select(i => ($"ok/x/{i}", Array.Empty<byte>())));
        PickleBuilder.WriteZip(path, [.. entries]);
        Refused<CheckpointException>(() => OfficialCheckpoint.Read(path), path, $"has {PyTorchZipReader.MaxEntries + 2} entries, more than the limit of {PyTorchZipReader.MaxEntries} (zip bomb?)");
    }

    [Fact]
    public void Checkpoint_zip_declaring_a_huge_uncompressed_size_is_refused()
    {
        var zip = CraftedFiles.Zip([("ok/data.pkl", PickleBuilder.StateDict(4, 4, 1)), ("ok/data/0", new byte[16])], CompressionLevel.Optimal);
        string path = Write("declared.ckpt", CraftedFiles.ForgeUncompressedSizes(zip, 0xFFFF_FFF0));
        Refused<CheckpointException>(() => OfficialCheckpoint.Read(path), path, "uncompressed bytes in all", "(zip bomb?)");
    }

    // ---- image bombs ----

    [Theory]
    [InlineData("bomb.png", "header says 100000x100000 = 10000000000 pixels, more than the limit of 67108864")]
    [InlineData("bomb.jpg", "header says 65000x65000 = 4225000000 pixels, more than the limit of 67108864")]
    public void Image_bombs_are_refused_by_their_header(string name, string expected)
    {
        string file = Write(name, name.EndsWith(".png") ? CraftedFiles.PngBomb() : CraftedFiles.JpegBomb());
        Refused<DataException>(() => ImageDecoder.Decode(file, 67108864), file, expected, "decompression bomb");
        var watch = SideEffectWatch.Start(watched);
        Assert.Contains(expected, ImageDecoder.Probe(file, 67108864, decode: true));
        watch.AssertNoSideEffects();
    }

    [Theory]
    [InlineData("cut.png")]
    [InlineData("cut.jpg")]
    [InlineData("garbage.png")]
    public void Truncated_and_malformed_images_give_errors_not_crashes(string name)
    {
        byte[] good = name.EndsWith(".png") ? TestImagesPng() : CraftedFiles.SmallJpeg();
        byte[] bytes = name.StartsWith("garbage") ? [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3, 4, 5] : good[..(good.Length / 2)];
        string file = Write(name, bytes);
        Refused<DataException>(() => ImageDecoder.Decode(file, 67108864), file);
    }

    static byte[] TestImagesPng() => Data.TestImages.SolidPng(32, 32, SkiaSharp.SKColors.Red);

    // ---- YAML ----

    [Fact]
    public void Yaml_bomb_is_refused()
    {
        string file = Write("laughs.yaml", Encoding.UTF8.GetBytes(CraftedFiles.BillionLaughs()));
        Refused<ConfigException>(() => ConfigLoader.Load(file), "aliases expand to more than 100000 nodes");
    }

    [Fact]
    public void Include_cycle_is_refused_naming_the_chain()
    {
        Write("a.yaml", "name: t\nbase: b.yaml\n"u8.ToArray());
        string b = Write("b.yaml", "base: a.yaml\n"u8.ToArray());
        Refused<ConfigException>(() => ConfigLoader.Load(b), "include cycle:", "b.yaml -> ", "a.yaml -> ");
    }

    [Fact]
    public void Include_outside_the_config_folder_is_refused()
    {
        string file = Write("out.yaml", "name: t\nbase: ../../../../../../etc/passwd\n"u8.ToArray());
        Refused<ConfigException>(() => ConfigLoader.Load(file), "outside the allowed root");
    }

    [Fact]
    public void Yaml_type_tags_construct_nothing()
    {
        string file = Write("tag.yaml", Encoding.UTF8.GetBytes(
            $"name: t\ndata: {{source: synthetic, synthetic_domains: 2}}\npreset: !!python/object/apply:os.system [\"{Payload}\"]\n" +
            "device: !<tag:yaml.org,2002:python/object/new:subprocess.Popen> cpu\n"));
        Refused<ConfigException>(() => ConfigLoader.Load(file), "YAML tag 'tag:yaml.org,2002:python/object/apply:os.system' is not supported");
    }
}

/// <summary>The watch itself: it must see a written file and a started process, or the suite above proves nothing.</summary>
[Collection(SecurityCollection.Name)]
public sealed class SideEffectWatchTests
{
    [Fact]
    public void The_watch_sees_a_written_file_and_a_started_child_process()
    {
        string dir = Directory.CreateTempSubdirectory("sgl-watch-").FullName;
        try
        {
            var watch = SideEffectWatch.Start(dir);
            File.WriteAllText(Path.Combine(dir, "written"), "x");
            Assert.Contains("added", Assert.ThrowsAny<Xunit.Sdk.XunitException>(watch.AssertNoSideEffects).Message);

            watch = SideEffectWatch.Start(dir);
            using var child = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
            try
            {
                Assert.Contains(SideEffectWatch.Children(), pid => pid == child.Id);
                Assert.Contains($"child processes appeared: {child.Id}", Assert.ThrowsAny<Xunit.Sdk.XunitException>(watch.AssertNoSideEffects).Message);
            }
            finally
            {
                child.Kill();
                child.WaitForExit();
            }
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
