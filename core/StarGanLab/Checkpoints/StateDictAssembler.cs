using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Checkpoints;

/// <summary>
/// Turns an unpickled checkpoint (dicts of <see cref="TensorRef"/>) plus its loaded storages into tensors.
/// Shared by the zip and legacy readers so both formats give identical results.
/// </summary>
internal static class StateDictAssembler
{
    /// <summary>
    /// {net: {key: tensor}} for a dict of state dicts; a flat {key: tensor} comes back under the single net "".
    /// Plain scalars beside the state dicts (e.g. an 'epoch' number) are skipped; anything else is an error.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> Assemble(
        object? root, IReadOnlyDictionary<string, Tensor> storages, string file)
    {
        if (root is not PickleDict top)
            throw new CheckpointException($"{file}: expected a dict of state dicts at the top level, found {Describe(root)}");
        var made = new List<Tensor>();
        try
        {
            var result = new OrderedDictionary<string, IReadOnlyDictionary<string, Tensor>>();
            if (top.Items.Count > 0 && top.Items.Values.All(v => v is TensorRef))
            {
                result[""] = Net(top, storages, file, "", made);
                return result;
            }
            foreach (var (k, v) in top.Items)
            {
                string name = k as string ?? throw new CheckpointException($"{file}: top-level key {k} is not a string");
                switch (v)
                {
                    case PickleDict sd: result[name] = Net(sd, storages, file, name, made); break;
                    case null or long or double or bool or string or System.Numerics.BigInteger: break;
                    default: throw new CheckpointException($"{file}: top-level entry '{name}' is {Describe(v)}, expected a state dict");
                }
            }
            return result;
        }
        catch
        {
            foreach (var t in made) t.Dispose();
            throw;
        }
    }

    static IReadOnlyDictionary<string, Tensor> Net(PickleDict sd, IReadOnlyDictionary<string, Tensor> storages, string file, string net, List<Tensor> made)
    {
        var tensors = new OrderedDictionary<string, Tensor>();
        foreach (var (k, v) in sd.Items)
        {
            string key = k as string ?? throw new CheckpointException($"{file}[{net}]: key {k} is not a string");
            if (v is not TensorRef r) throw new CheckpointException($"{file}[{net}]: '{key}' is {Describe(v)}, expected a tensor");
            var t = Materialize(r, storages, $"{file}[{net}] '{key}'");
            made.Add(t);
            tensors[key] = t;
        }
        return tensors;
    }

    /// <summary>The tensor a <see cref="TensorRef"/> describes, after checking the view stays inside its storage.</summary>
    static Tensor Materialize(TensorRef r, IReadOnlyDictionary<string, Tensor> storages, string what)
    {
        var storage = storages.TryGetValue(r.Storage.Key, out var s) ? s
            : throw new CheckpointException($"{what}: storage '{r.Storage.Key}' is missing from the file");
        long numel = 1, last = r.Offset;
        try
        {
            for (int i = 0; i < r.Shape.Length; i++)
            {
                numel = checked(numel * r.Shape[i]);
                if (r.Shape[i] > 0) last = checked(last + (r.Shape[i] - 1) * r.Stride[i]);
            }
        }
        catch (OverflowException)
        {
            throw new CheckpointException($"{what}: shape [{string.Join(", ", r.Shape)}] overflows");
        }
        if (numel == 0) return torch.empty(r.Shape, r.Storage.DType.Type);
        // numel is bounded too (not only the last index): a zero-stride view of a tiny storage could
        // otherwise ask the copy below for any amount of memory.
        if (last >= r.Storage.Numel || numel > r.Storage.Numel)
            throw new CheckpointException(
                $"{what}: shape [{string.Join(", ", r.Shape)}] stride [{string.Join(", ", r.Stride)}] offset {r.Offset} reaches outside its storage of {r.Storage.Numel} elements");
        if (r.Offset == 0 && numel == r.Storage.Numel && IsContiguous(r.Shape, r.Stride))
            return storage.view(r.Shape);
        // A strided or partial view: copy it out so the result does not pin (or alias) the whole storage.
        using var view = storage.as_strided(r.Shape, r.Stride, r.Offset);
        return view.contiguous().clone();
    }

    static bool IsContiguous(long[] shape, long[] stride)
    {
        long expected = 1;
        for (int i = shape.Length - 1; i >= 0; i--)
        {
            if (shape[i] != 1 && stride[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    internal static string Describe(object? v) => v switch
    {
        null => "None",
        PickleDict => "a dict",
        TensorRef => "a tensor",
        string => "a string",
        object?[] => "a tuple",
        List<object?> => "a list",
        _ => $"a {v.GetType().Name}",
    };
}
