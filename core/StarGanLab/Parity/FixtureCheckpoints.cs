using StarGanLab.Networks;
using static TorchSharp.torch;

namespace StarGanLab.Parity;

/// <summary>Builds networks of the fixture's architecture and fills them from one of its official checkpoints.</summary>
static class FixtureCheckpoints
{
    public static StarGanNets Load(ParityFixture fx, string file, bool withDiscriminator, string? only = null)
    {
        var nets = StarGanNets.Create(fx.Model, withDiscriminator);
        var groups = TemporaryZipLoader.Read(fx.PathOf(file));
        foreach (var (name, module) in nets.Modules)
        {
            if (only != null && name != only) continue;
            var sd = groups[name];
            using var _ = no_grad();
            foreach (var (key, dst) in module.state_dict()) dst.copy_(sd[key]);
        }
        return nets;
    }
}
