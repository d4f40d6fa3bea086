using System.Collections;
using static TorchSharp.torch;

namespace StarGanLab.Parity;

// Replaced by Checkpoints.OfficialCheckpoint when that lands.
static class TemporaryZipLoader
{
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> Read(string path)
    {
        var outer = TorchSharp.PyBridge.PyTorchUnpickler.UnpickleStateDict(path);
        var result = new Dictionary<string, IReadOnlyDictionary<string, Tensor>>();
        foreach (DictionaryEntry e in outer)
        {
            var inner = new Dictionary<string, Tensor>();
            foreach (DictionaryEntry kv in (Hashtable)e.Value!) inner[(string)kv.Key] = (Tensor)kv.Value!;
            result[(string)e.Key] = inner;
        }
        return result;
    }
}
