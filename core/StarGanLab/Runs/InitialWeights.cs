using System.Text.Json;
using System.Text.Json.Nodes;
using StarGanLab.Checkpoints;
using StarGanLab.Config;
using StarGanLab.Networks;
using StarGanLab.Training;
using static TorchSharp.torch;

namespace StarGanLab.Runs;

/// <summary>What one network of a fine-tune started from.</summary>
/// <param name="From">The file, or null when the network is He-initialised (a checkpoint without a discriminator).</param>
public sealed record NetworkInit(string Net, string? From, int Total, int Loaded, int PartlyLoaded, int Fresh, int Dropped, string Summary);

/// <summary>What a fine-tune started from, network by network; written to the run folder as <see cref="FileName"/>.</summary>
public sealed record InitReport(InitSource Source, int SourceDomains, int Domains, IReadOnlyList<NetworkInit> Training, IReadOnlyList<NetworkInit> Ema, string EmaFrom)
{
    public const string FileName = "init_from.json";

    public string ToJson()
    {
        static JsonObject File(InitFile f) => new() { ["path"] = f.Path, ["format"] = f.Format.ToString(), ["sha256"] = f.Sha256 };
        static JsonArray Nets(IEnumerable<NetworkInit> nets) => new(nets.Select(n => (JsonNode)new JsonObject
        {
            ["net"] = n.Net, ["from"] = n.From, ["tensors"] = n.Total, ["loaded"] = n.Loaded, ["partly_loaded"] = n.PartlyLoaded,
            ["reinitialised"] = n.Fresh, ["dropped"] = n.Dropped,
        }).ToArray());
        var o = new JsonObject
        {
            ["init_from"] = Source.Given,
            ["training_file"] = File(Source.Training),
            ["ema_file"] = Source.Ema is { } e ? File(e) : null,
            ["ema_from"] = EmaFrom,
            ["source_domains"] = SourceDomains,
            ["domains"] = Domains,
            ["domain_rule"] = "by index: domain i < the checkpoint's count takes its head i; a new domain keeps its He init from the run's seed; surplus heads are dropped",
            ["training"] = Nets(Training),
            ["ema"] = Nets(Ema),
        };
        return o.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }
}

/// <summary>Fine-tuning: loads the weights <c>train.init_from</c> names into freshly built networks (He-initialised
/// from the run's seed, <see cref="StarGanNets.Build"/>), under <see cref="DomainRule"/> when the domain counts differ.
/// The training G, F, E (and D when the file has one) come from the training file; the EMA G, F, E from the EMA file
/// when there is one, else from the training weights just loaded. A file without a discriminator (the official
/// release, a nets_ema file) leaves D at its He init. All files and networks are checked before anything is copied,
/// and every problem is reported at once, naming the tensor, both shapes and the config keys that differ.</summary>
public static class InitialWeights
{
    public static InitReport Apply(InitSource source, StarGanNets nets, StarGanNets ema, ExperimentConfig config, Action<string> log)
    {
        var target = config.Model;
        using var training = SourceWeights.Read(source.Training.Path);
        using var emaWeights = source.Ema is { } e && config.Optim.Ema ? SourceWeights.Read(e.Path) : null;
        foreach (var w in new[] { training, emaWeights }.OfType<SourceWeights>()) w.RequireCompatible(target);

        var trainingPlans = Plans(training, nets, target, dMayBeAbsent: true);
        // With optim.ema false the EMA set is a view of the training networks: they are loaded once, above.
        var emaPlans = emaWeights is null ? [] : Plans(emaWeights, ema, target, dMayBeAbsent: false);
        var errors = trainingPlans.Concat(emaPlans).Where(p => p.Plan is { Errors.Count: > 0 }).ToList();
        if (errors.Count > 0)
        {
            // A few lines per network: one wrong width mis-shapes dozens of tensors, and each network shows it differently.
            var lines = errors.SelectMany(p => p.Plan!.Errors.Take(3).Select(m => $"{p.File}[{p.Plan.Net}] {m}")
                .Concat(p.Plan.Errors.Count > 3 ? [$"{p.File}[{p.Plan.Net}] … and {p.Plan.Errors.Count - 3} more"] : [])).ToList();
            string hint = (errors[0].File == training.File ? training : emaWeights!).Differences(target);
            throw new CheckpointException($"train.init_from: the checkpoint does not fit the config's model " +
                $"({errors.Sum(p => p.Plan!.Errors.Count)} tensor(s)):{string.Concat(lines.Select(l => $"{Environment.NewLine}  {l}"))}{Environment.NewLine}{hint}");
        }

        foreach (var (_, _, plan) in trainingPlans) plan?.Apply();
        foreach (var (_, _, plan) in emaPlans) plan?.Apply();
        string emaFrom;
        if (!config.Optim.Ema) emaFrom = "none (optim.ema false: the EMA set is the training networks)";
        else if (emaWeights is not null) emaFrom = emaWeights.File;
        else
        {
            ema.CopyFrom(nets);
            emaFrom = $"the training weights ({training.File})";
        }

        var report = new InitReport(source, training.Model.NumDomains, target.NumDomains,
            trainingPlans.Select(p => Describe(p.Net, p.File, p.Plan, nets)).ToList(),
            emaPlans.Select(p => Describe(p.Net, p.File, p.Plan, ema)).ToList(), emaFrom);
        log($"init_from {source.Given}: training networks from {source.Training.Path} (sha256 {source.Training.Sha256}); " +
            $"EMA networks from {emaFrom}{(source.Ema is { } f && config.Optim.Ema ? $" (sha256 {f.Sha256})" : "")}; fresh optimizers, step 0");
        if (training.Model.NumDomains != target.NumDomains)
            log($"init_from: the checkpoint has {training.Model.NumDomains} domains, the run {target.NumDomains}: heads matched by index " +
                "(new domains keep their He init from the seed, surplus heads are dropped; docs/finetuning.md)");
        foreach (var n in report.Training) log($"  {n.Net}: {n.Summary}");
        foreach (var n in report.Ema) log($"  {n.Net} (EMA): {n.Summary}");
        foreach (var ignored in training.Ignored) log($"  ignored '{ignored}' of {training.File} (not a network of the run; the FAN comes from fan.wing_path)");
        return report;
    }

    static List<(string Net, string File, NetworkTransfer? Plan)> Plans(SourceWeights w, StarGanNets into, ModelConfig target, bool dMayBeAbsent)
    {
        var plans = new List<(string, string, NetworkTransfer?)>();
        foreach (var (name, module) in into.Modules)
        {
            if (w.Groups.TryGetValue(name, out var sd))
                plans.Add((name, w.File, NetworkTransfer.Plan(name, module, sd, w.Model, target)));
            else if (name == StarGanNets.DiscriminatorName && dMayBeAbsent)
                plans.Add((name, w.File, null));
            else
                throw new CheckpointException($"train.init_from: {w.File} has no '{name}' (it has {string.Join(", ", w.Groups.Keys)}); " +
                                              "a fine-tune needs every network of the model but the discriminator");
        }
        return plans;
    }

    static NetworkInit Describe(string net, string file, NetworkTransfer? plan, StarGanNets nets) => plan is null
        ? new NetworkInit(net, null, Checkpoints.StateDicts.Of(nets[net]).Count, 0, 0, Checkpoints.StateDicts.Of(nets[net]).Count, 0,
                          $"not in {file} (an official release or nets_ema file has no discriminator): He-initialised from the run's seed")
        : new NetworkInit(net, file, plan.Total, plan.Loaded, plan.PartlyLoaded, plan.Fresh.Count, plan.Dropped.Count, plan.Summary());
}

/// <summary>The networks of one checkpoint file, official or ours, with the model that made them: from our header, or
/// inferred from the tensor shapes of an official file.</summary>
sealed class SourceWeights : IDisposable
{
    public required string File { get; init; }
    public required ModelConfig Model { get; init; }
    public required IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> Groups { get; init; }
    /// <summary>Entries that are not networks of a run (the FAN that official high-pass checkpoints carry).</summary>
    public IReadOnlyList<string> Ignored { get; init; } = [];
    /// <summary>True for an official file, whose model is inferred from its shapes rather than read from a header.</summary>
    public bool Inferred { get; init; }
    IDisposable? owner;

    static readonly string[] NetworkNames = [StarGanNets.GeneratorName, StarGanNets.MappingNetworkName, StarGanNets.StyleEncoderName, StarGanNets.DiscriminatorName];

    public static SourceWeights Read(string path)
    {
        if (CheckpointFormats.Detect(path) == CheckpointFormat.Native)
        {
            var data = NativeCheckpoint.Load(path);
            try
            {
                if (data.Header.Kind is not (TrainerCheckpoints.Nets or TrainerCheckpoints.NetsEma))
                    throw new CheckpointException($"{path}: a '{data.Header.Kind}' checkpoint holds no networks");
                return new SourceWeights { File = path, Model = TrainerCheckpoints.ModelOf(data.Header, path), Groups = data.Groups, owner = data };
            }
            catch
            {
                data.Dispose();
                throw;
            }
        }
        var groups = OfficialCheckpoint.Read(path);
        try
        {
            var nets = groups.Where(g => NetworkNames.Contains(g.Key)).ToDictionary(g => g.Key, g => g.Value);
            var other = groups.Keys.Where(k => !NetworkNames.Contains(k)).ToList();
            if (other.Any(k => k != "fan"))
                throw new CheckpointException($"{path}: holds {string.Join(", ", other.Select(k => $"'{k}'"))}, which are not StarGAN v2 networks " +
                                              $"(expected {string.Join(", ", NetworkNames)})");
            var model = OfficialModelInference.Infer(nets, path);
            return new SourceWeights { File = path, Model = model, Groups = nets, Ignored = other, Inferred = true, owner = new TensorOwner(groups) };
        }
        catch
        {
            new TensorOwner(groups).Dispose();
            throw;
        }
    }

    /// <summary>What a shape check cannot see: the variant (by name, as a resume would) and w_hpf (the high-pass filter
    /// is a buffer of the same shape for every weight).</summary>
    public void RequireCompatible(ModelConfig target)
    {
        if ((Model.Injection, Model.StyleSource, Model.Discriminator) != (target.Injection, target.StyleSource, target.Discriminator))
            throw new CheckpointException($"train.init_from: {File} holds a model with {Model.Describe()}, the config has {target.Describe()}; " +
                                          "set model.injection, model.style_source and model.discriminator to the checkpoint's");
        if (Math.Abs(Model.WHpf - target.WHpf) > 1e-6 * Math.Max(1, Math.Abs(Model.WHpf)))
            throw new CheckpointException($"train.init_from: {File} was trained with model.w_hpf {Model.WHpf}, the config has {target.WHpf}; set model.w_hpf: {Model.WHpf}");
        if (DomainRule.RefuseDomainChange(Model, target) is { } refused)
            throw new CheckpointException($"train.init_from: {File}: {refused}");
    }

    /// <summary>The config keys whose values differ from the checkpoint's model (model.num_domains may differ).</summary>
    public string Differences(ModelConfig target)
    {
        var diffs = new List<string>();
        void Check(string key, object ours, object theirs) { if (!Equals(ours, theirs)) diffs.Add($"{key} (checkpoint {theirs}, config {ours})"); }
        Check("model.img_size", target.ImgSize, Model.ImgSize);
        Check("model.latent_dim", target.LatentDim, Model.LatentDim);
        Check("model.style_dim", target.StyleDim, Model.StyleDim);
        Check("model.width_const", target.WidthConst, Model.WidthConst);
        Check("model.max_conv_dim", target.MaxConvDim, Model.MaxConvDim);
        Check("model.mapping_hidden", target.MappingHidden, Model.MappingHidden);
        string provenance = Inferred ? "inferred from its tensor shapes" : "from its header";
        return diffs.Count == 0
            ? "Only model.num_domains may differ from the checkpoint's model."
            : $"The checkpoint's model ({provenance}) differs in {string.Join(", ", diffs)}: set these keys to the checkpoint's values; only model.num_domains may differ.";
    }

    public void Dispose() => owner?.Dispose();

    sealed class TensorOwner(IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> groups) : IDisposable
    {
        public void Dispose()
        {
            foreach (var sd in groups.Values) foreach (var t in sd.Values) t.Dispose();
        }
    }
}
