using StarGanLab.Config;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Networks;

/// <summary>One set of StarGAN v2 networks under their official checkpoint names. The training set has
/// a discriminator; the EMA set (used for sampling and evaluation) does not.</summary>
public sealed class StarGanNets : IDisposable
{
    public const string GeneratorName = "generator";
    public const string MappingNetworkName = "mapping_network";
    public const string StyleEncoderName = "style_encoder";
    public const string DiscriminatorName = "discriminator";

    public Generator Generator { get; }
    public MappingNetwork MappingNetwork { get; }
    public StyleEncoder StyleEncoder { get; }
    public Discriminator? Discriminator { get; }
    public ModelConfig Model { get; }

    StarGanNets(ModelConfig model, bool withDiscriminator)
    {
        Model = model;
        Generator = Generator.Create(model);
        MappingNetwork = MappingNetwork.Create(model);
        StyleEncoder = StyleEncoder.Create(model);
        Discriminator = withDiscriminator ? Discriminator.Create(model) : null;
    }

    /// <summary>Networks with PyTorch-default initialisation (use <see cref="Build"/> for training).</summary>
    public static StarGanNets Create(ModelConfig model, bool withDiscriminator) => new(model, withDiscriminator);

    /// <summary>The training networks (He-initialised, as the official Solver) and their EMA copies.
    /// Unlike the official code, the EMA copies are made after He init, so EMA starts at the trained
    /// networks' weights (the official deep-copies before he_init, leaving EMA at PyTorch's default init).</summary>
    public static (StarGanNets Nets, StarGanNets Ema) Build(ModelConfig model, Device device)
    {
        var nets = new StarGanNets(model, withDiscriminator: true);
        foreach (var (_, net) in nets.Modules) HeInit.Apply(net);
        var ema = new StarGanNets(model, withDiscriminator: false);
        ema.CopyFrom(nets);
        nets.To(device);
        ema.To(device);
        return (nets, ema);
    }

    /// <summary>Networks by official name, in the official checkpoint order.</summary>
    public IReadOnlyList<(string Name, nn.Module Module)> Modules
    {
        get
        {
            var list = new List<(string, nn.Module)>
            {
                (GeneratorName, Generator), (MappingNetworkName, MappingNetwork), (StyleEncoderName, StyleEncoder),
            };
            if (Discriminator != null) list.Add((DiscriminatorName, Discriminator));
            return list;
        }
    }

    public nn.Module this[string name] => Modules.FirstOrDefault(m => m.Name == name).Module
        ?? throw new KeyNotFoundException($"no network named '{name}' (have {string.Join(", ", Modules.Select(m => m.Name))})");

    /// <summary>Copies every parameter and buffer of the same-named networks of <paramref name="source"/>.</summary>
    public void CopyFrom(StarGanNets source)
    {
        using var _ = no_grad();
        foreach (var (name, module) in Modules)
        {
            var src = source[name].state_dict();
            foreach (var (key, dst) in module.state_dict())
                dst.copy_(src[key]);
        }
    }

    public void To(Device device)
    {
        foreach (var (_, m) in Modules) m.to(device);
    }

    public void Train(bool on)
    {
        foreach (var (_, m) in Modules) m.train(on);
    }

    public void Dispose()
    {
        foreach (var (_, m) in Modules) m.Dispose();
    }
}
