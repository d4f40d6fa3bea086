using StarGanLab.Checkpoints;
using StarGanLab.Networks;
using static TorchSharp.torch;

namespace StarGanLab.Parity;

/// <summary>Builds networks of the fixture's architecture and fills them from one of its official checkpoints.</summary>
static class FixtureCheckpoints
{
    public static StarGanNets Load(ParityFixture fx, string file, bool withDiscriminator, string? only = null)
    {
        var nets = StarGanNets.Create(fx.Model, withDiscriminator);
        var groups = OfficialCheckpoint.Read(fx.PathOf(file));
        foreach (var (name, module) in nets.Modules)
        {
            if (only != null && name != only) continue;
            if (!groups.TryGetValue(name, out var sd))
                throw new CheckpointException($"{fx.PathOf(file)}: no '{name}' entry");
            StateDicts.LoadStrict(module, sd, $"{fx.PathOf(file)}[{name}]");
        }
        foreach (var sd in groups.Values) foreach (var t in sd.Values) t.Dispose();
        return nets;
    }
}
