namespace StarGanLab.Checkpoints;

/// <summary>A global the unpickler has allowed, kept as a name: nothing is ever looked up or invoked by name.</summary>
internal sealed record PickleGlobal(string Module, string Name)
{
    public string FullName => $"{Module}.{Name}";
}

/// <summary>
/// A pickled dict or collections.OrderedDict, in insertion order (a state dict's order is the module's order).
/// <see cref="Attributes"/> holds what BUILD set on it, i.e. a state dict's <c>_metadata</c>.
/// </summary>
internal sealed class PickleDict
{
    public OrderedDictionary<object, object?> Items { get; } = new();
    public Dictionary<string, object?> Attributes { get; } = new();
}

/// <summary>A storage named by a persistent id; its bytes live elsewhere in the file.</summary>
internal sealed record StorageRef(string Key, TensorDType DType, long Numel, string Location);

/// <summary>What torch._utils._rebuild_tensor_v2 describes: a strided view of a storage.</summary>
internal sealed record TensorRef(StorageRef Storage, long Offset, long[] Shape, long[] Stride, bool RequiresGrad);
