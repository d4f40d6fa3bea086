using System.Buffers.Binary;
using System.Text;
using static TorchSharp.torch;

namespace StarGanLab.Checkpoints;

/// <summary>
/// Emits the data.pkl of a torch.save zip checkpoint as protocol-2 opcodes:
/// {net: OrderedDict(key -> torch._utils._rebuild_tensor_v2(storage, 0, size, stride, False, OrderedDict()))}
/// where each storage is a BINPERSID of ('storage', torch.XStorage, "&lt;n&gt;", 'cpu', numel).
/// Every tensor gets its own contiguous storage, numbered in first-use order as torch does.
/// Written by hand (not with Razorvine's Pickler) because persistent ids and typed storage globals
/// must come out exactly as torch.load expects them.
/// </summary>
internal sealed class StateDictPickler
{
    readonly MemoryStream o = new();
    readonly Dictionary<string, int> memo = new();

    /// <summary>The pickle bytes and the tensors to store as data/0, data/1, ... (same order).</summary>
    public static (byte[] Pickle, IReadOnlyList<Tensor> Storages) Pickle(IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> nets)
    {
        var p = new StateDictPickler();
        var storages = new List<Tensor>();
        p.Op(0x80); p.Op(2);                 // PROTO 2
        p.Op('}');                           // EMPTY_DICT
        if (nets.Count > 0)
        {
            p.Op('(');
            foreach (var (net, sd) in nets)
            {
                p.Str(net);
                p.Global("collections", "OrderedDict"); p.Op(')'); p.Op('R');
                if (sd.Count > 0)
                {
                    p.Op('(');
                    foreach (var (key, t) in sd)
                    {
                        p.Str(key);
                        p.Tensor(t, storages.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
                        storages.Add(t);
                    }
                    p.Op('u');               // SETITEMS
                }
            }
            p.Op('u');
        }
        p.Op('.');
        return (p.o.ToArray(), storages);
    }

    void Tensor(Tensor t, string storageKey)
    {
        var dtype = TensorDTypes.Of(t.dtype);
        long[] shape = t.shape;
        var stride = new long[shape.Length];
        long s = 1;
        for (int i = shape.Length - 1; i >= 0; i--) { stride[i] = s; s *= shape[i]; }

        Global("torch._utils", "_rebuild_tensor_v2");
        Op('(');
        Op('(');                                           // persistent id tuple
        Str("storage"); Global("torch", dtype.StorageClass); Str(storageKey); Str("cpu"); Int(t.numel());
        Op('t');
        Op('Q');                                           // BINPERSID
        Int(0);                                            // storage_offset
        Tuple(shape);
        Tuple(stride);
        Op(0x89);                                          // requires_grad = False
        Global("collections", "OrderedDict"); Op(')'); Op('R');   // backward_hooks
        Op('t');
        Op('R');
    }

    void Tuple(long[] xs)
    {
        switch (xs.Length)
        {
            case 0: Op(')'); return;
            case 1: Int(xs[0]); Op(0x85); return;
            case 2: Int(xs[0]); Int(xs[1]); Op(0x86); return;
            case 3: Int(xs[0]); Int(xs[1]); Int(xs[2]); Op(0x87); return;
            default: Op('('); foreach (var x in xs) Int(x); Op('t'); return;
        }
    }

    /// <summary>GLOBAL once, then BINGET from the memo, as Python's pickler does.</summary>
    void Global(string module, string name)
    {
        string full = module + "\n" + name + "\n";
        if (memo.TryGetValue(full, out int idx)) { Get(idx); return; }
        Op('c');
        o.Write(Encoding.ASCII.GetBytes(full));
        Put(full);
    }

    void Str(string s)
    {
        var b = Encoding.UTF8.GetBytes(s);
        Op('X');
        Span<byte> n = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(n, b.Length);
        o.Write(n);
        o.Write(b);
    }

    void Int(long v)
    {
        Span<byte> b = stackalloc byte[8];
        if (v is >= 0 and < 256) { Op('K'); Op((byte)v); }
        else if (v is >= 0 and < 65536) { Op('M'); BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v); o.Write(b[..2]); }
        else if (v is >= int.MinValue and <= int.MaxValue) { Op('J'); BinaryPrimitives.WriteInt32LittleEndian(b, (int)v); o.Write(b[..4]); }
        else { Op(0x8a); Op(8); BinaryPrimitives.WriteInt64LittleEndian(b, v); o.Write(b); }   // LONG1, 8 bytes
    }

    void Put(string key)
    {
        int idx = memo.Count;
        memo[key] = idx;
        if (idx < 256) { Op('q'); Op((byte)idx); }
        else { Op('r'); Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, idx); o.Write(b); }
    }

    void Get(int idx)
    {
        if (idx < 256) { Op('h'); Op((byte)idx); }
        else { Op('j'); Span<byte> b = stackalloc byte[4]; BinaryPrimitives.WriteInt32LittleEndian(b, idx); o.Write(b); }
    }

    void Op(char c) => o.WriteByte((byte)c);
    void Op(byte b) => o.WriteByte(b);
}
