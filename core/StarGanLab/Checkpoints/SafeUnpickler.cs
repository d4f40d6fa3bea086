using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace StarGanLab.Checkpoints;

/// <summary>
/// A pickle virtual machine for state-dict checkpoints that constructs nothing but plain data.
/// Why our own instead of Razorvine's Unpickler: Razorvine resolves unknown globals to generic objects
/// and keeps its constructor registry in a process-wide static (shared with PyBridge), so it can neither
/// refuse a global at the moment it is named nor be restricted without affecting other readers.
/// Here every GLOBAL is checked against an allowlist before anything is pushed, unknown opcodes are
/// refused, and every length read from the file is checked against the bytes actually left.
/// </summary>
internal sealed class SafeUnpickler
{
    const int MaxGlobalNameLength = 256;

    /// <summary>Globals whose REDUCE we implement; storage classes are allowed only as data (in persistent ids).</summary>
    static readonly HashSet<string> Callables =
        ["collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter"];

    readonly Stream stream;
    readonly string file;
    readonly Func<object?, object> persistentLoad;
    readonly List<object?> stack = [];
    readonly Stack<int> marks = new();
    readonly Dictionary<long, object?> memo = new();

    /// <param name="stream">Positioned at the pickle; must be seekable so lengths can be bounded by what remains.</param>
    /// <param name="file">Named in every error.</param>
    /// <param name="persistentLoad">Turns a persistent id (already-unpickled plain data) into a <see cref="StorageRef"/>, or throws.</param>
    public SafeUnpickler(Stream stream, string file, Func<object?, object> persistentLoad)
    {
        if (!stream.CanSeek) throw new ArgumentException("the stream must be seekable so sizes can be bounded", nameof(stream));
        this.stream = stream;
        this.file = file;
        this.persistentLoad = persistentLoad;
    }

    public static bool IsAllowedGlobal(string module, string name) =>
        Callables.Contains($"{module}.{name}") || module == "torch" && TensorDTypes.ByStorageClass(name) != null;

    /// <summary>Reads one pickle, up to and including its STOP opcode (the stream is left just after it).</summary>
    public object? Load()
    {
        stack.Clear(); marks.Clear(); memo.Clear();
        while (true)
        {
            long at = stream.Position;
            int op = stream.ReadByte();
            if (op < 0) throw Fail(at, "the pickle ends before its STOP opcode (file truncated?)");
            switch (op)
            {
                case 0x80: // PROTO
                    int proto = ReadU8();
                    if (proto > 5) throw Fail(at, $"pickle protocol {proto} is not supported (expected 2..5)");
                    break;
                case 0x95: ReadExact(8); break; // FRAME: only a read-ahead hint
                case '.': // STOP
                    if (stack.Count != 1 || marks.Count != 0) throw Fail(at, "malformed pickle: STOP with an unbalanced stack");
                    return stack[0];
                case '(': marks.Push(stack.Count); break;
                case '}': Push(new PickleDict()); break;
                case ']': Push(new List<object?>()); break;
                case ')': Push(Array.Empty<object?>()); break;
                case 'N': Push(null); break;
                case 0x88: Push(true); break;
                case 0x89: Push(false); break;
                case 'K': Push((long)ReadU8()); break;
                case 'M': Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadExact(2))); break;
                case 'J': Push((long)BinaryPrimitives.ReadInt32LittleEndian(ReadExact(4))); break;
                case 0x8a: Push(ReadLong(ReadU8())); break;  // LONG1
                case 0x8b: Push(ReadLong(ReadLength(4, at))); break;  // LONG4
                case 'G': Push(BinaryPrimitives.ReadDoubleBigEndian(ReadExact(8))); break;
                case 'X': Push(Encoding.UTF8.GetString(ReadExact(ReadLength(4, at)))); break;
                case 0x8c: Push(Encoding.UTF8.GetString(ReadExact(ReadU8()))); break;
                case 0x8d: Push(Encoding.UTF8.GetString(ReadExact(ReadLength(8, at)))); break;
                case 'U': Push(Encoding.Latin1.GetString(ReadExact(ReadU8()))); break;  // SHORT_BINSTRING (py2 str)
                case 'T': Push(Encoding.Latin1.GetString(ReadExact(ReadLength(4, at)))); break;
                case 'C': Push(ReadExact(ReadU8())); break;  // SHORT_BINBYTES
                case 'B': Push(ReadExact(ReadLength(4, at))); break;
                case 'q': memo[ReadU8()] = Peek(at); break;
                case 'r': memo[BinaryPrimitives.ReadUInt32LittleEndian(ReadExact(4))] = Peek(at); break;
                case 0x94: memo[memo.Count] = Peek(at); break;  // MEMOIZE
                case 'h': Push(Recall(ReadU8(), at)); break;
                case 'j': Push(Recall(BinaryPrimitives.ReadUInt32LittleEndian(ReadExact(4)), at)); break;
                case '0': Pop(at); break;
                case '2': Push(Peek(at)); break;
                case 'c':
                {
                    string module = ReadLine(at), name = ReadLine(at);
                    Push(Global(module, name, at));
                    break;
                }
                case 0x93: // STACK_GLOBAL
                {
                    string name = Pop(at) as string ?? throw Fail(at, "STACK_GLOBAL expects two strings");
                    string module = Pop(at) as string ?? throw Fail(at, "STACK_GLOBAL expects two strings");
                    Push(Global(module, name, at));
                    break;
                }
                case 't': Push(PopMark(at).ToArray()); break;
                case 0x85: { var a = Pop(at); Push(new[] { a }); break; }
                case 0x86: { var b = Pop(at); var a = Pop(at); Push(new[] { a, b }); break; }
                case 0x87: { var c = Pop(at); var b = Pop(at); var a = Pop(at); Push(new[] { a, b, c }); break; }
                case 'a': { var v = Pop(at); AsList(Peek(at), at).Add(v); break; }
                case 'e': { var items = PopMark(at); AsList(Peek(at), at).AddRange(items); break; }
                case 's': { var v = Pop(at); var k = Pop(at); AsDict(Peek(at), at).Items[Key(k, at)] = v; break; }
                case 'u':
                {
                    var items = PopMark(at);
                    if (items.Count % 2 != 0) throw Fail(at, "SETITEMS with an odd number of items");
                    var dict = AsDict(Peek(at), at);
                    for (int i = 0; i < items.Count; i += 2) dict.Items[Key(items[i], at)] = items[i + 1];
                    break;
                }
                case 'Q': Push(persistentLoad(Pop(at))); break;  // BINPERSID
                case 'R':
                {
                    var args = Pop(at) as object?[] ?? throw Fail(at, "REDUCE expects an argument tuple");
                    var callable = Pop(at) as PickleGlobal ?? throw Fail(at, "REDUCE of something that is not an allowed global");
                    Push(Reduce(callable, args, at));
                    break;
                }
                case 'b':
                {
                    var state = Pop(at);
                    var target = AsDict(Peek(at), at);
                    if (state is not PickleDict attrs) throw Fail(at, "BUILD on a dict expects a dict of attributes (an OrderedDict's _metadata)");
                    foreach (var (k, v) in attrs.Items)
                        target.Attributes[k as string ?? throw Fail(at, "BUILD attribute names must be strings")] = v;
                    break;
                }
                default:
                    throw Fail(at, $"pickle opcode 0x{op:x2} ('{(char)op}') is not allowed in a state-dict checkpoint");
            }
        }
    }

    PickleGlobal Global(string module, string name, long at)
    {
        if (!IsAllowedGlobal(module, name))
            throw Fail(at, $"refusing pickle global '{module}.{name}': a state-dict checkpoint may only reference " +
                           "collections.OrderedDict, torch._utils._rebuild_tensor_v2/_rebuild_parameter and torch.*Storage");
        return new PickleGlobal(module, name);
    }

    object Reduce(PickleGlobal callable, object?[] args, long at)
    {
        switch (callable.FullName)
        {
            case "collections.OrderedDict":
            {
                var dict = new PickleDict();
                if (args.Length == 0) return dict;
                // Older pickles pass the items as one list of (key, value) pairs.
                if (args is [List<object?> pairs])
                {
                    foreach (var pair in pairs)
                    {
                        var kv = pair as IReadOnlyList<object?>;
                        if (kv is not { Count: 2 }) throw Fail(at, "OrderedDict(items) expects (key, value) pairs");
                        dict.Items[Key(kv[0], at)] = kv[1];
                    }
                    return dict;
                }
                throw Fail(at, "OrderedDict called with unexpected arguments");
            }
            case "torch._utils._rebuild_tensor_v2":
            {
                // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
                if (args.Length is < 6 or > 7) throw Fail(at, $"_rebuild_tensor_v2 expects 6 or 7 arguments, got {args.Length}");
                var storage = args[0] as StorageRef ?? throw Fail(at, "_rebuild_tensor_v2 expects a storage (persistent id) as its first argument");
                long offset = NonNegative(args[1], "storage_offset", at);
                long[] shape = LongTuple(args[2], "size", at);
                long[] stride = LongTuple(args[3], "stride", at);
                if (shape.Length != stride.Length) throw Fail(at, $"_rebuild_tensor_v2 size has {shape.Length} dims but stride has {stride.Length}");
                bool requiresGrad = args[4] as bool? ?? throw Fail(at, "_rebuild_tensor_v2 requires_grad must be a bool");
                if (args[5] is PickleDict { Items.Count: > 0 } || args[5] is not (PickleDict or null))
                    throw Fail(at, "_rebuild_tensor_v2 with backward hooks is not supported");
                return new TensorRef(storage, offset, shape, stride, requiresGrad);
            }
            case "torch._utils._rebuild_parameter":
            {
                if (args.Length != 3 || args[0] is not TensorRef data || args[1] is not bool requiresGrad)
                    throw Fail(at, "_rebuild_parameter expects (tensor, requires_grad, backward_hooks)");
                return data with { RequiresGrad = requiresGrad };
            }
            default:
                throw Fail(at, $"'{callable.FullName}' may appear in a checkpoint only as a storage type, not be called");
        }
    }

    long NonNegative(object? v, string what, long at) =>
        v is long n && n >= 0 ? n : throw Fail(at, $"_rebuild_tensor_v2 {what} must be a non-negative int, got {v ?? "None"}");

    long[] LongTuple(object? v, string what, long at)
    {
        if (v is not object?[] items) throw Fail(at, $"_rebuild_tensor_v2 {what} must be a tuple of ints");
        return items.Select(i => NonNegative(i, what, at)).ToArray();
    }

    object Key(object? k, long at) => k ?? throw Fail(at, "None as a dict key is not supported");

    List<object?> AsList(object? o, long at) => o as List<object?> ?? throw Fail(at, "APPEND to something that is not a list");

    PickleDict AsDict(object? o, long at) => o as PickleDict ?? throw Fail(at, "SETITEM/BUILD on something that is not a dict");

    void Push(object? o) => stack.Add(o);

    object? Peek(long at) => stack.Count > (marks.Count > 0 ? marks.Peek() : 0) ? stack[^1] : throw Fail(at, "malformed pickle: stack underflow");

    object? Pop(long at)
    {
        var v = Peek(at);
        stack.RemoveAt(stack.Count - 1);
        return v;
    }

    List<object?> PopMark(long at)
    {
        if (marks.Count == 0) throw Fail(at, "malformed pickle: no MARK");
        int m = marks.Pop();
        var items = stack.GetRange(m, stack.Count - m);
        stack.RemoveRange(m, stack.Count - m);
        return items;
    }

    object? Recall(long index, long at) =>
        memo.TryGetValue(index, out var v) ? v : throw Fail(at, $"malformed pickle: memo entry {index} was never stored");

    int ReadU8()
    {
        int b = stream.ReadByte();
        return b >= 0 ? b : throw Fail(stream.Position, "the pickle ends in the middle of an opcode (file truncated?)");
    }

    /// <summary>A length field, refused when it asks for more bytes than the file still has.</summary>
    int ReadLength(int width, long at)
    {
        var raw = ReadExact(width);
        ulong n = width == 4 ? BinaryPrimitives.ReadUInt32LittleEndian(raw) : BinaryPrimitives.ReadUInt64LittleEndian(raw);
        long left = stream.Length - stream.Position;
        if (n > (ulong)left || n > int.MaxValue)
            throw Fail(at, $"a pickled item claims {n} bytes but only {left} bytes are left in the file");
        return (int)n;
    }

    byte[] ReadExact(int n)
    {
        long left = stream.Length - stream.Position;
        if (n > left) throw Fail(stream.Position, $"the pickle needs {n} more bytes but only {left} are left (file truncated?)");
        var buf = new byte[n];
        stream.ReadExactly(buf);
        return buf;
    }

    object ReadLong(int n)
    {
        if (n > 64) throw Fail(stream.Position, $"a {n}-byte integer is not plausible in a state-dict checkpoint");
        var v = new BigInteger(ReadExact(n), isUnsigned: false, isBigEndian: false);
        return v >= long.MinValue && v <= long.MaxValue ? (object)(long)v : v;
    }

    string ReadLine(long at)
    {
        var sb = new StringBuilder();
        while (true)
        {
            int b = ReadU8();
            if (b == '\n') return sb.ToString();
            if (sb.Length >= MaxGlobalNameLength || b < 0x20 || b > 0x7e)
                throw Fail(at, "malformed GLOBAL opcode (name too long or not printable ASCII)");
            sb.Append((char)b);
        }
    }

    CheckpointException Fail(long at, string what) => new($"{file}: {what} (pickle byte {at})");
}
