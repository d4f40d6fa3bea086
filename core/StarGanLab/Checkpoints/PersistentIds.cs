namespace StarGanLab.Checkpoints;

/// <summary>
/// Parses the persistent id torch.save writes for each storage:
/// ('storage', torch.XStorage, key, location, numel) in zip files, plus a trailing view_metadata (None) in legacy files.
/// </summary>
internal static class PersistentIds
{
    /// <param name="maxBytes">The most bytes any storage can occupy (the file size): a larger numel is refused before anything is allocated.</param>
    public static StorageRef Parse(object? pid, string file, long maxBytes)
    {
        if (pid is not object?[] t || t.Length is < 5 or > 6 || t[0] is not "storage")
            throw new CheckpointException($"{file}: expected a persistent id ('storage', type, key, location, numel), found {StateDictAssembler.Describe(pid)}");
        if (t[1] is not PickleGlobal { Module: "torch" } type || TensorDTypes.ByStorageClass(type.Name) is not { } dtype)
            throw new CheckpointException($"{file}: persistent id names {StateDictAssembler.Describe(t[1])} where a torch.*Storage class was expected");
        if (t[2] is not string key || key.Length is 0 or > 64 || !key.All(char.IsAsciiLetterOrDigit))
            throw new CheckpointException($"{file}: storage key {t[2] ?? "None"} is not a short alphanumeric string");
        string location = t[3] as string ?? throw new CheckpointException($"{file}: storage '{key}' has no location string");
        if (t[4] is not long numel || numel < 0)
            throw new CheckpointException($"{file}: storage '{key}' has an invalid element count {t[4] ?? "None"}");
        if (numel > maxBytes / dtype.ElementSize)
            throw new CheckpointException(
                $"{file}: storage '{key}' claims {numel} {dtype.Name} elements ({(double)numel * dtype.ElementSize:0} bytes) but the whole file has only {maxBytes} bytes");
        if (t.Length == 6 && t[5] is not null)
            throw new CheckpointException($"{file}: storage '{key}' is a view of another storage (view_metadata), which this reader does not support");
        return new StorageRef(key, dtype, numel, location);
    }
}
