using System.Buffers.Binary;
using StarGanLab.Checkpoints;
using StarGanLab.Config;
using StarGanLab.Networks;
using StarGanLab.Tests.Checkpoints;
using StarGanLab.Training;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Runs;

/// <summary>Official checkpoints made here rather than downloaded: the networks of a tiny model written as torch.save
/// writes them, in the zip format (<see cref="OfficialCheckpoint.Write"/>) or the legacy pickle format of the 2020
/// release (the same pickle, preceded by magic, protocol and sys_info, followed by the sorted storage keys and each
/// storage as an int64 count and its raw bytes: torch/serialization.py _legacy_save).</summary>
static class OfficialFiles
{
    /// <summary>Networks of <paramref name="model"/>, He-initialised from <paramref name="seed"/>: with D as an official
    /// NNNNNN_nets.ckpt holds them, or without as the released NNNNNN_nets_ema.ckpt.</summary>
    public static string Write(string path, ModelConfig model, long seed, bool withDiscriminator, bool legacy)
    {
        var (nets, ema) = StarGanNets.Build(model, CPU, seed);
        using (nets)
        using (ema)
        {
            var groups = TrainerCheckpoints.StateDicts(withDiscriminator ? nets : ema);
            if (legacy) WriteLegacy(path, groups);
            else OfficialCheckpoint.Write(path, groups);
        }
        return path;
    }

    static void WriteLegacy(string path, IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> groups)
    {
        var (pickle, storages) = StateDictPickler.Pickle(groups);
        var keys = Enumerable.Range(0, storages.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Order(StringComparer.Ordinal).ToList();
        using var fs = File.Create(path);
        fs.Write(PickleBuilder.LegacyPreamble());
        fs.Write(pickle);
        var list = new PickleBuilder().Proto().Op(']').Mark();
        foreach (var k in keys) list.Str(k);
        fs.Write(list.Op('e').Stop().Bytes());
        Span<byte> count = stackalloc byte[8];
        foreach (var k in keys)
        {
            var t = storages[int.Parse(k, System.Globalization.CultureInfo.InvariantCulture)];
            BinaryPrimitives.WriteInt64LittleEndian(count, t.numel());
            fs.Write(count);
            TensorBytes.Write(t, fs);
        }
    }
}
