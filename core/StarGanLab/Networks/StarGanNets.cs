using StarGanLab.Config;
using StarGanLab.Kernels;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Networks;

/// <summary>One set of StarGAN v2 networks under their official checkpoint names. The training set has
/// a discriminator; the EMA set (used for sampling and evaluation) does not. Networks a variant does not have
/// (<see cref="ModelVariant"/>: no F without style codes, no E with a one-hot domain code) are null and absent
/// from <see cref="Modules"/>, checkpoints and optimizers.</summary>
public sealed class StarGanNets : IDisposable
{
    public const string GeneratorName = "generator";
    public const string MappingNetworkName = "mapping_network";
    public const string StyleEncoderName = "style_encoder";
    public const string DiscriminatorName = "discriminator";

    public Generator Generator { get; }
    public MappingNetwork? MappingNetwork { get; }
    public StyleEncoder? StyleEncoder { get; }
    public Discriminator? Discriminator { get; }
    public ModelConfig Model { get; }

    /// <summary>False for a view over another set's networks (<see cref="WithoutDiscriminator"/>), which must not dispose them.</summary>
    readonly bool ownsModules = true;

    StarGanNets(ModelConfig model, bool withDiscriminator, bool guarded = true)
    {
        // Every set of networks is built after the kernel self-check has run for its shapes (cached: once per machine).
        if (guarded) KernelGuard.Ensure(model);
        Model = model;
        Generator = Generator.Create(model);
        MappingNetwork = model.HasMappingNetwork() ? MappingNetwork.Create(model) : null;
        StyleEncoder = model.HasStyleEncoder() ? StyleEncoder.Create(model) : null;
        Discriminator = withDiscriminator ? Discriminator.Create(model) : null;
    }

    StarGanNets(StarGanNets source)
    {
        (Model, Generator, MappingNetwork, StyleEncoder) = (source.Model, source.Generator, source.MappingNetwork, source.StyleEncoder);
        ownsModules = false;
    }

    /// <summary>Networks with PyTorch-default initialisation (use <see cref="Build"/> for training).</summary>
    public static StarGanNets Create(ModelConfig model, bool withDiscriminator) => new(model, withDiscriminator);

    /// <summary>Networks built without running the kernel guard: for the guard's own shape trace.</summary>
    internal static StarGanNets CreateUnguarded(ModelConfig model, bool withDiscriminator) => new(model, withDiscriminator, guarded: false);

    /// <summary>The training networks (He-initialised, as the official Solver) and their EMA copies.
    /// Unlike the official code, the EMA copies are made after He init, so EMA starts at the trained
    /// networks' weights (the official deep-copies before he_init, leaving EMA at PyTorch's default init).
    /// Without <paramref name="ema"/> (optim.ema false) no copies exist: the second set is a view of the training
    /// G, F and E, so sampling, evaluation and the nets_ema checkpoint use the training networks.
    /// The He-init weights are a function of <paramref name="seed"/> alone (a generator of their own, in the
    /// official network order), whatever else draws from torch's global generator meanwhile.</summary>
    public static (StarGanNets Nets, StarGanNets Ema) Build(ModelConfig model, Device device, long seed, bool ema = true)
    {
        var nets = new StarGanNets(model, withDiscriminator: true);
        using var rng = new TorchSharp.torch.Generator((ulong)seed);
        foreach (var (_, net) in nets.Modules) HeInit.Apply(net, rng);
        var copies = ema ? new StarGanNets(model, withDiscriminator: false) : nets.WithoutDiscriminator();
        if (ema) copies.CopyFrom(nets);
        nets.To(device);
        copies.To(device);
        return (nets, copies);
    }

    /// <summary>G, F and E of this set without D, sharing (not copying) the modules; disposing the view leaves them alone.</summary>
    public StarGanNets WithoutDiscriminator() => new(this);

    /// <summary>Networks by official name, in the official checkpoint order; only those this variant has.</summary>
    public IReadOnlyList<(string Name, nn.Module Module)> Modules
    {
        get
        {
            var list = new List<(string, nn.Module)> { (GeneratorName, Generator) };
            if (MappingNetwork != null) list.Add((MappingNetworkName, MappingNetwork));
            if (StyleEncoder != null) list.Add((StyleEncoderName, StyleEncoder));
            if (Discriminator != null) list.Add((DiscriminatorName, Discriminator));
            return list;
        }
    }

    public nn.Module this[string name] => Modules.FirstOrDefault(m => m.Name == name).Module
        ?? throw new KeyNotFoundException($"no network named '{name}' (have {string.Join(", ", Modules.Select(m => m.Name))}; {Model.Describe()})");

    /// <summary>The code G receives for latent code <paramref name="z"/> and target domain <paramref name="y"/>:
    /// F(z, y) with style codes, [one-hot(y), z] with latent injection, one-hot(y) with a domain code (z unused).</summary>
    public Tensor LatentStyle(Tensor z, Tensor y) => Model.StyleSource switch
    {
        StyleCode.Style => MappingNetwork!.call(z, y),
        StyleCode.Latent => cat([DomainCode(y), z], 1),
        _ => DomainCode(y),
    };

    /// <summary>E(x_ref, y): the style code of a reference image; only style codes have reference-guided synthesis.</summary>
    public Tensor ReferenceStyle(Tensor xRef, Tensor y) => Model.HasReferences()
        ? StyleEncoder!.call(xRef, y)
        : throw new InvalidOperationException($"reference-guided synthesis needs domain-specific style codes (model.style_source style); this model has {Model.Describe()}");

    /// <summary>The code that reconstructs a real image <paramref name="x"/> of domain <paramref name="y"/> (the cycle
    /// loss's s_org): E(x, y) with style codes, [one-hot(y), E(x)] with latent injection, one-hot(y) with a domain code.</summary>
    public Tensor SourceStyle(Tensor x, Tensor y) => Model.StyleSource switch
    {
        StyleCode.Style => StyleEncoder!.call(x, y),
        StyleCode.Latent => cat([DomainCode(y), EncodeLatent(x)], 1),
        _ => DomainCode(y),
    };

    /// <summary>What the style encoder recovers from a generated image and the part of <paramref name="code"/> it must
    /// match (style reconstruction, eq. 2): (E(x, y), s), or with latent injection (E(x), z) (the latent reconstruction
    /// of Table 1 (D)).</summary>
    public (Tensor Predicted, Tensor Target) Reconstruction(Tensor xFake, Tensor y, Tensor code) => Model.StyleSource switch
    {
        StyleCode.Style => (StyleEncoder!.call(xFake, y), code),
        StyleCode.Latent => (EncodeLatent(xFake), code[.., Model.NumDomains..]),
        _ => throw new InvalidOperationException($"a one-hot domain code has nothing to reconstruct ({Model.Describe()}); set loss.lambda_sty: 0"),
    };

    Tensor EncodeLatent(Tensor x)
    {
        using var head = zeros(x.size(0), dtype: int64, device: x.device);   // the single domain-shared head
        return StyleEncoder!.call(x, head);
    }

    /// <summary>(B) labels -> (B, num_domains) float one-hot codes.</summary>
    public Tensor DomainCode(Tensor y)
    {
        using var oneHot = F.one_hot(y, Model.NumDomains);
        return oneHot.to(float32);
    }

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
        if (!ownsModules) return;
        foreach (var (_, m) in Modules) m.Dispose();
    }
}
