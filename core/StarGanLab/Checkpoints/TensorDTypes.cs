using TorchSharp;

namespace StarGanLab.Checkpoints;

/// <summary>One dtype as the three formats we speak name it.</summary>
/// <param name="Name">torch's printed name ("float32"), used in our JSON header.</param>
/// <param name="StorageClass">The legacy typed-storage class PyTorch pickles in persistent ids ("FloatStorage").</param>
internal sealed record TensorDType(torch.ScalarType Type, string Name, string StorageClass, int ElementSize);

/// <summary>
/// The dtypes a state dict can hold. Kept as one table so the zip reader, the zip writer and our own
/// format cannot disagree about a name or an element size.
/// </summary>
internal static class TensorDTypes
{
    public static readonly IReadOnlyList<TensorDType> All =
    [
        new(torch.ScalarType.Float32, "float32", "FloatStorage", 4),
        new(torch.ScalarType.Float64, "float64", "DoubleStorage", 8),
        new(torch.ScalarType.Float16, "float16", "HalfStorage", 2),
        new(torch.ScalarType.BFloat16, "bfloat16", "BFloat16Storage", 2),
        new(torch.ScalarType.Int64, "int64", "LongStorage", 8),
        new(torch.ScalarType.Int32, "int32", "IntStorage", 4),
        new(torch.ScalarType.Int16, "int16", "ShortStorage", 2),
        new(torch.ScalarType.Int8, "int8", "CharStorage", 1),
        new(torch.ScalarType.Byte, "uint8", "ByteStorage", 1),
        new(torch.ScalarType.Bool, "bool", "BoolStorage", 1),
    ];

    public static TensorDType? ByStorageClass(string name) => All.FirstOrDefault(d => d.StorageClass == name);
    public static TensorDType? ByName(string name) => All.FirstOrDefault(d => d.Name == name);

    public static TensorDType Of(torch.ScalarType type) =>
        All.FirstOrDefault(d => d.Type == type)
        ?? throw new CheckpointException($"dtype {type} cannot be stored in a checkpoint (supported: {string.Join(", ", All.Select(d => d.Name))})");
}
