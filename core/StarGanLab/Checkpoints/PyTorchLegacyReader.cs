using System.Buffers.Binary;
using System.Numerics;
using static TorchSharp.torch;

namespace StarGanLab.Checkpoints;

/// <summary>
/// Reads the pre-1.6 torch.save format (torch/serialization.py _legacy_save): pickled magic number,
/// protocol version 1001, sys_info, the object itself, the sorted list of storage keys, then for each
/// key an int64 element count and the raw little-endian elements.
/// </summary>
internal static class PyTorchLegacyReader
{
    static readonly BigInteger Magic = BigInteger.Parse("1950a86a20f9469cfc6c", System.Globalization.NumberStyles.HexNumber);
    const long ProtocolVersion = 1001;

    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> Read(Stream fs, string file)
    {
        var refs = new Dictionary<string, StorageRef>();
        object PersistentLoad(object? pid)
        {
            var r = PersistentIds.Parse(pid, file, fs.Length);
            if (refs.TryGetValue(r.Key, out var seen) && seen != r)
                throw new CheckpointException($"{file}: storage '{r.Key}' is described twice with different types or sizes");
            return refs[r.Key] = r;
        }
        var pickle = new SafeUnpickler(fs, file, PersistentLoad);

        var magic = pickle.Load();
        if (magic is not BigInteger m || m != Magic)
            throw new CheckpointException($"{file}: not a legacy PyTorch checkpoint (expected the magic number 0x1950a86a20f9469cfc6c first)");
        if (pickle.Load() is not long protocol || protocol != ProtocolVersion)
            throw new CheckpointException($"{file}: unsupported legacy protocol version (expected {ProtocolVersion})");
        if (pickle.Load() is not PickleDict sysInfo || sysInfo.Items.TryGetValue("little_endian", out var le) && le is false)
            throw new CheckpointException($"{file}: expected a sys_info dict written by a little-endian machine");
        var root = pickle.Load();
        if (pickle.Load() is not List<object?> keys || keys.Any(k => k is not string))
            throw new CheckpointException($"{file}: expected the list of storage keys after the pickled object");

        var storages = new Dictionary<string, Tensor>();
        try
        {
            foreach (string key in keys.Cast<string>())
            {
                if (!refs.TryGetValue(key, out var r))
                    throw new CheckpointException($"{file}: storage '{key}' is listed but never referenced by the pickled object");
                if (storages.ContainsKey(key))
                    throw new CheckpointException($"{file}: storage '{key}' is listed twice");
                long at = fs.Position;
                var countBytes = new byte[8];
                if (fs.ReadAtLeast(countBytes, 8, throwOnEndOfStream: false) != 8)
                    throw new CheckpointException($"{file}: ends before the data of storage '{key}' (file truncated?)");
                long count = BinaryPrimitives.ReadInt64LittleEndian(countBytes);
                if (count != r.Numel)
                    throw new CheckpointException($"{file}: storage '{key}' at byte {at} holds {count} elements but the pickle said {r.Numel}");
                long left = fs.Length - fs.Position;
                if (count * r.DType.ElementSize > left)
                    throw new CheckpointException($"{file}: storage '{key}' needs {count * r.DType.ElementSize} bytes but only {left} are left (file truncated?)");
                storages[key] = TensorBytes.ReadStorage(fs, r.DType, count, file, $"storage '{key}'");
            }
            var missing = refs.Keys.Where(k => !storages.ContainsKey(k)).ToList();
            if (missing.Count > 0)
                throw new CheckpointException($"{file}: storages {string.Join(", ", missing)} are referenced but not stored");
            // torch writes nothing after the last storage: bytes there mean a concatenated, corrupt or doctored file
            // (a second payload riding along), so it is refused like a native checkpoint with a tail.
            if (fs.Length - fs.Position is > 0 and var tail)
                throw new CheckpointException($"{file}: {tail} unexpected byte(s) after the last storage (at byte {fs.Position}); " +
                                              "a legacy torch.save file ends with its last storage");
            return StateDictAssembler.Assemble(root, storages, file);
        }
        finally
        {
            // Views returned by Assemble hold their own reference to the native storage.
            foreach (var t in storages.Values) t.Dispose();
        }
    }
}
