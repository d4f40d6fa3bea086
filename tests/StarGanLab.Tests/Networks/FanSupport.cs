using StarGanLab.Checkpoints;
using StarGanLab.Networks;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Networks;

/// <summary>Wing checkpoints for tests: a default-initialised FAN saved as the official {'state_dict': FAN.state_dict()}.</summary>
static class FanSupport
{
    public static void WriteWing(string path, Func<IReadOnlyDictionary<string, Tensor>, IReadOnlyDictionary<string, Tensor>>? edit = null)
    {
        manual_seed(11);
        using var fan = new Fan();
        var sd = StateDicts.Of(fan);
        OfficialCheckpoint.Write(path, new Dictionary<string, IReadOnlyDictionary<string, Tensor>> { ["state_dict"] = edit?.Invoke(sd) ?? sd });
    }
}
