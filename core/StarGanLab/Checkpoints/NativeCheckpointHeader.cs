using System.Text.Json.Nodes;

namespace StarGanLab.Checkpoints;

/// <summary>One stored tensor: its key, dtype name (torch's, e.g. "float32"), shape and byte count in the payload.</summary>
public sealed record NativeTensorInfo(string Key, string DType, IReadOnlyList<long> Shape, long Bytes);

/// <summary>
/// The JSON header of a <see cref="NativeCheckpoint"/> file. <see cref="Groups"/> lists, per group
/// (a network, an optimizer state, ...), its tensors in payload order.
/// </summary>
public sealed record NativeCheckpointHeader(
    string Format,
    int Version,
    string Kind,
    long Step,
    JsonObject? Config,
    IReadOnlyDictionary<string, IReadOnlyList<NativeTensorInfo>> Groups,
    long PayloadLength,
    string PayloadSha256);

/// <summary>A loaded native checkpoint: its header and {group: {key: tensor}} (CPU tensors owned by the caller).</summary>
public sealed record NativeCheckpointData(
    NativeCheckpointHeader Header,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, TorchSharp.torch.Tensor>> Groups) : IDisposable
{
    public void Dispose()
    {
        foreach (var g in Groups.Values) foreach (var t in g.Values) t.Dispose();
    }
}
