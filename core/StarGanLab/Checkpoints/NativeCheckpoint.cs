using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StarGanLab.Native;
using static TorchSharp.torch;

using StarGanLab.IO;

namespace StarGanLab.Checkpoints;

/// <summary>
/// StarGanLab's own checkpoint file (e.g. <c>000100_nets.sgl</c>):
/// <code>
/// "SGLCKPT1" | uint32 LE header length | UTF-8 JSON header | payload
/// </code>
/// The payload is every tensor's raw little-endian bytes, row-major, in header order (groups, then keys).
/// The header carries kind, step, the caller's config, dtype/shape/byte count per tensor, and the payload's
/// length and SHA-256, so truncation and corruption are detected before any tensor is handed out.
/// </summary>
public static class NativeCheckpoint
{
    public const string FormatName = "starganlab-checkpoint";
    public const int FormatVersion = 1;
    const int MaxHeaderBytes = 64 << 20;
    static readonly int Prefix = CheckpointFormats.NativeMagic.Length + 4;

    /// <summary>Writes atomically (temp file, flush to disk, rename): the destination is never left partial.</summary>
    public static void Save(string path, string kind, long step, JsonObject? config,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> groups)
    {
        TorchRuntime.EnsureLoaded();
        ArgumentException.ThrowIfNullOrEmpty(kind);
        var infos = new OrderedDictionary<string, IReadOnlyList<NativeTensorInfo>>();
        long payload = 0;
        foreach (var (g, sd) in groups)
        {
            infos[g] = sd.Select(kv => new NativeTensorInfo(
                kv.Key, TensorDTypes.Of(kv.Value.dtype).Name, kv.Value.shape, TensorBytes.ByteCount(kv.Value))).ToList();
            payload += infos[g].Sum(t => t.Bytes);
        }
        // The hash is only known after the payload is written; a fixed-width placeholder is patched in place.
        string placeholder = new('0', 64);
        var header = new NativeCheckpointHeader(FormatName, FormatVersion, kind, step, config, infos, payload, placeholder);
        byte[] json = Encoding.UTF8.GetBytes(NativeHeaderJson.ToJson(header).ToJsonString());
        int hashAt = IndexOf(json, Encoding.UTF8.GetBytes($"\"payload_sha256\":\"{placeholder}\"")) + "\"payload_sha256\":\"".Length;

        AtomicFile.Write(path, fs =>
        {
            fs.Write(CheckpointFormats.NativeMagic);
            Span<byte> len = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)json.Length);
            fs.Write(len);
            long headerStart = fs.Position;
            fs.Write(json);
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using (var hs = new TapStream(fs, sha.AppendData))
                foreach (var sd in groups.Values)
                    foreach (var t in sd.Values) TensorBytes.Write(t, hs);
            long end = fs.Position;
            if (end - headerStart - json.Length != payload)
                throw new CheckpointException($"{path}: wrote {end - headerStart - json.Length} payload bytes, expected {payload}");
            fs.Position = headerStart + hashAt;
            fs.Write(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(sha.GetHashAndReset())));
            fs.Position = end;
        });
    }

    /// <summary>Only the header (magic and JSON); the payload is neither read nor verified.</summary>
    public static NativeCheckpointHeader ReadHeader(string path)
    {
        using var fs = Open(path);
        return ReadHeader(fs, path);
    }

    /// <summary>
    /// Reads and verifies the whole file: magic, header, payload length and SHA-256.
    /// When <paramref name="expectedKind"/> is given, a file of another kind is refused.
    /// </summary>
    public static NativeCheckpointData Load(string path, string? expectedKind = null)
    {
        TorchRuntime.EnsureLoaded();
        using var fs = Open(path);
        var header = ReadHeader(fs, path);
        if (expectedKind != null && header.Kind != expectedKind)
            throw new CheckpointException($"{path}: is a '{header.Kind}' checkpoint, expected '{expectedKind}'");

        long declared = 0;
        var types = new List<(TensorDType DType, NativeTensorInfo Info)>();
        foreach (var (g, list) in header.Groups)
            foreach (var info in list)
            {
                var dtype = TensorDTypes.ByName(info.DType) ?? throw new CheckpointException($"{path}: [{g}] '{info.Key}' has unknown dtype '{info.DType}'");
                long numel = 1;
                try
                {
                    foreach (long d in info.Shape)
                        numel = d >= 0 ? checked(numel * d) : throw new CheckpointException($"{path}: [{g}] '{info.Key}' has a negative dimension");
                    if (checked(numel * dtype.ElementSize) != info.Bytes) throw new OverflowException();
                    declared = checked(declared + info.Bytes);
                }
                catch (OverflowException)
                {
                    throw new CheckpointException($"{path}: [{g}] '{info.Key}' shape [{string.Join(", ", info.Shape)}] {info.DType} does not match its {info.Bytes} bytes");
                }
                types.Add((dtype, info));
            }
        long left = fs.Length - fs.Position;
        if (declared != header.PayloadLength)
            throw new CheckpointException($"{path}: header lists {declared} tensor bytes but payload_length is {header.PayloadLength}");
        if (left != header.PayloadLength)
            throw new CheckpointException(left < header.PayloadLength
                ? $"{path}: payload has {left} of {header.PayloadLength} bytes (file truncated)"
                : $"{path}: {left - header.PayloadLength} unexpected bytes after the {header.PayloadLength}-byte payload");

        var groups = new OrderedDictionary<string, IReadOnlyDictionary<string, Tensor>>();
        var made = new List<Tensor>();
        try
        {
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var hs = new TapStream(fs, sha.AppendData);
            int i = 0;
            foreach (var (g, list) in header.Groups)
            {
                var sd = new OrderedDictionary<string, Tensor>();
                foreach (var info in list)
                {
                    var (dtype, _) = types[i++];
                    long numel = info.Bytes / dtype.ElementSize;
                    using var flat = TensorBytes.ReadStorage(hs, dtype, numel, path, $"[{g}] '{info.Key}'");
                    var t = flat.view(info.Shape.ToArray());
                    made.Add(t);
                    sd[info.Key] = t;
                }
                groups[g] = sd;
            }
            string actual = Convert.ToHexStringLower(sha.GetHashAndReset());
            if (!string.Equals(actual, header.PayloadSha256, StringComparison.OrdinalIgnoreCase))
                throw new CheckpointException($"{path}: payload checksum mismatch (sha256 {actual}, header says {header.PayloadSha256}): the file is corrupt");
            return new NativeCheckpointData(header, groups);
        }
        catch
        {
            foreach (var t in made) t.Dispose();
            throw;
        }
    }

    static FileStream Open(string path)
    {
        try { return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"{path}: cannot be opened: {e.Message}", e);
        }
    }

    static NativeCheckpointHeader ReadHeader(FileStream fs, string path)
    {
        var prefix = new byte[Prefix];
        int got = fs.ReadAtLeast(prefix, Prefix, throwOnEndOfStream: false);
        if (got < CheckpointFormats.NativeMagic.Length || !prefix.AsSpan().StartsWith(CheckpointFormats.NativeMagic))
            throw new CheckpointException($"{path}: expected a StarGanLab native checkpoint (starting with \"SGLCKPT1\"), found {CheckpointFormats.Describe(path)}" +
                                          (CheckpointFormats.Detect(path) is CheckpointFormat.PyTorchZip or CheckpointFormat.PyTorchLegacy ? "; use OfficialCheckpoint.Read" : ""));
        if (got < Prefix)
            throw new CheckpointException($"{path}: ends inside the native checkpoint prefix (file truncated)");
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(prefix.AsSpan(CheckpointFormats.NativeMagic.Length));
        long left = fs.Length - fs.Position;
        if (length > MaxHeaderBytes || length > left)
            throw new CheckpointException($"{path}: header claims {length} bytes but {left} are left (file truncated or corrupt)");
        var json = new byte[length];
        fs.ReadExactly(json);
        return NativeHeaderJson.FromJson(json, path);
    }

    static int IndexOf(byte[] haystack, byte[] needle)
    {
        int i = haystack.AsSpan().IndexOf(needle);
        return i >= 0 ? i : throw new InvalidOperationException("payload_sha256 placeholder not found in the header");
    }
}
