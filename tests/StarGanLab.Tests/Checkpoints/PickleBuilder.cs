using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace StarGanLab.Tests.Checkpoints;

/// <summary>Writes pickle opcodes by hand, to craft hostile checkpoints without Python.</summary>
internal sealed class PickleBuilder
{
    readonly MemoryStream o = new();

    public PickleBuilder Proto(byte v = 2) => Op(0x80).Op(v);
    public PickleBuilder Global(string module, string name) => Op('c').Raw(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
    public PickleBuilder StackGlobal(string module, string name) => Short(module).Short(name).Op(0x93);
    public PickleBuilder Str(string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        Op('X');
        Span<byte> n = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(n, b.Length);
        return Raw(n.ToArray()).Raw(b);
    }
    PickleBuilder Short(string s) { var b = Encoding.UTF8.GetBytes(s); return Op(0x8c).Op((byte)b.Length).Raw(b); }
    public PickleBuilder Long(long v)
    {
        var b = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, v);
        return Op(0x8a).Op(8).Raw(b);
    }
    public PickleBuilder Mark() => Op('(');
    public PickleBuilder Tuple() => Op('t');
    public PickleBuilder Tuple1() => Op(0x85);
    public PickleBuilder EmptyTuple() => Op(')');
    public PickleBuilder EmptyDict() => Op('}');
    public PickleBuilder SetItem() => Op('s');
    public PickleBuilder Reduce() => Op('R');
    public PickleBuilder BinPersid() => Op('Q');
    public PickleBuilder False() => Op(0x89);
    public PickleBuilder Stop() => Op('.');
    public PickleBuilder Op(char c) => Op((byte)c);
    public PickleBuilder Op(byte b) { o.WriteByte(b); return this; }
    public PickleBuilder Raw(byte[] b) { o.Write(b); return this; }
    public byte[] Bytes() => o.ToArray();

    /// <summary>GLOBAL module.name called with one string argument: the classic pickle exploit.</summary>
    public static byte[] Exploit(string module, string name, bool stackGlobal = false)
    {
        var p = new PickleBuilder().Proto(stackGlobal ? (byte)4 : (byte)2);
        (stackGlobal ? p.StackGlobal(module, name) : p.Global(module, name)).Str("echo pwned > /tmp/pwned").Tuple1().Reduce().Stop();
        return p.Bytes();
    }

    /// <summary>{'net': OrderedDict({'w': tensor of a FloatStorage claiming numel elements, viewed as size/stride})}.</summary>
    /// <param name="flat">Leave out the 'net' level: a plain {'w': tensor}.</param>
    public static byte[] StateDict(long numel, long size, long stride, bool legacyPid = false, bool flat = false)
    {
        var p = new PickleBuilder().Proto().EmptyDict();
        if (!flat) p.Str("net").Global("collections", "OrderedDict").EmptyTuple().Reduce();
        p.Str("w").Global("torch._utils", "_rebuild_tensor_v2").Mark()
            .Mark().Str("storage").Global("torch", "FloatStorage").Str("0").Str("cpu").Long(numel);
        if (legacyPid) p.Op('N');
        p.Tuple().BinPersid().Long(0).Long(size).Tuple1().Long(stride).Tuple1().False()
            .Global("collections", "OrderedDict").EmptyTuple().Reduce().Tuple().Reduce()
            .SetItem();
        if (!flat) p.SetItem();
        p.Stop();
        return p.Bytes();
    }

    /// <summary>The legacy format's three leading pickles: magic number, protocol 1001, sys_info.</summary>
    public static byte[] LegacyPreamble()
    {
        byte[] magic = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, 0x2e];
        byte[] protocol = [0x80, 0x02, 0x4d, 0xe9, 0x03, 0x2e];
        byte[] sysInfo = [0x80, 0x02, 0x7d, 0x2e];
        return [.. magic, .. protocol, .. sysInfo];
    }

    /// <summary>A zip with the given entries (stored), like torch's archive layout.</summary>
    public static void WriteZip(string path, params (string Name, byte[] Data)[] entries)
    {
        using var fs = File.Create(path);
        using var zip = new ZipArchive(fs, ZipArchiveMode.Create);
        foreach (var (name, data) in entries)
        {
            using var s = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
            s.Write(data);
        }
    }
}
