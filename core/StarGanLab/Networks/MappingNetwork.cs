using StarGanLab.Config;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StarGanLab.Networks;

/// <summary>F(z, y): a shared MLP followed by one head per domain; returns the head of each sample's
/// target domain, i.e. a domain-specific style code (paper section 3, Mapping network).</summary>
public sealed class MappingNetwork : nn.Module<Tensor, Tensor, Tensor>
{
    readonly Sequential shared;
    readonly ModuleList<Sequential> unshared;

    public MappingNetwork(int latentDim = 16, int styleDim = 64, int numDomains = 2, int hidden = 512)
        : base(nameof(MappingNetwork))
    {
        var layers = new List<nn.Module<Tensor, Tensor>> { nn.Linear(latentDim, hidden), nn.ReLU() };
        for (int i = 0; i < 3; i++) { layers.Add(nn.Linear(hidden, hidden)); layers.Add(nn.ReLU()); }
        shared = nn.Sequential(layers.ToArray());

        var heads = new Sequential[numDomains];
        for (int d = 0; d < numDomains; d++)
            heads[d] = nn.Sequential(
                nn.Linear(hidden, hidden), nn.ReLU(),
                nn.Linear(hidden, hidden), nn.ReLU(),
                nn.Linear(hidden, hidden), nn.ReLU(),
                nn.Linear(hidden, styleDim));
        unshared = nn.ModuleList(heads);
        RegisterComponents();
    }

    public static MappingNetwork Create(ModelConfig m) => new(m.LatentDim, m.StyleDim, m.NumDomains, m.MappingHidden);

    public override Tensor forward(Tensor z, Tensor y)
    {
        using var scope = NewDisposeScope();
        var h = shared.call(z);
        var outs = stack(unshared.Select(head => head.call(h)).ToArray(), dim: 1);   // (B, D, style_dim)
        return DomainHeads.Select(outs, y).MoveToOuterDisposeScope();
    }
}
