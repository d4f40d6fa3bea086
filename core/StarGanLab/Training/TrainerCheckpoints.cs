using System.Text.Json;
using System.Text.Json.Nodes;
using StarGanLab.Checkpoints;
using StarGanLab.Config;
using StarGanLab.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Training;

/// <summary>A training checkpoint is three files in our format, as the official three:
/// NNNNNN_nets.sgl (G, F, E, D), NNNNNN_nets_ema.sgl (G, F, E) and NNNNNN_optims.sgl (Adam moments per network
/// plus the trainer's own state: latent RNG and data position). optims is written last, so a step counts as
/// complete only when all three are there.</summary>
public static class TrainerCheckpoints
{
    public const string Nets = "nets", NetsEma = "nets_ema", Optims = "optims";
    // Variants as YAML spells them ("adain", "wgan_gp"), so headers written before they were enums still read.
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = false,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static string FileOf(string dir, long step, string kind) => Path.Combine(dir, $"{step:D6}_{kind}.sgl");

    public static JsonObject ModelJson(ModelConfig model) => (JsonObject)JsonSerializer.SerializeToNode(new { model }, Json)!;

    public static ModelConfig ModelOf(NativeCheckpointHeader header, string file) =>
        header.Config?["model"]?.Deserialize<ModelConfig>(Json)
        ?? throw new CheckpointException($"{file}: the header holds no model configuration");

    /// <summary>Writes the three files of the current step. Non-finite weights are refused (a diverged state never
    /// becomes the newest checkpoint); a write that fails (e.g. a full disk) removes this step's partial files, leaves
    /// every earlier checkpoint as it was, and is reported as a <see cref="CheckpointException"/> naming the folder.</summary>
    /// <param name="latentRng">The generator of the latent codes, whose state a resume continues from.</param>
    /// <param name="dataPosition">The index of the next batch the data stream yields.</param>
    public static void Save(Trainer t, torch.Generator latentRng, long dataPosition, string dir)
    {
        RequireFiniteWeights(t);
        try
        {
            Write(t, latentRng, dataPosition, dir);
        }
        catch (IOException e)
        {
            long step = t.Step;
            foreach (var kind in new[] { Optims, NetsEma, Nets })
                try { File.Delete(FileOf(dir, step, kind)); } catch (IOException) { /* the save error below is what matters */ }
            var good = CompleteSteps(dir);
            throw new CheckpointException($"could not write the checkpoint of step {step} to {dir}: {e.Message}" +
                (good.Count > 0 ? $"; the newest complete checkpoint (step {good[0]}) is intact" : "; no earlier checkpoint exists"), e);
        }
    }

    /// <summary>Throws <see cref="TrainingDivergedException"/> naming the first network whose weights are NaN or infinite.</summary>
    public static void RequireFiniteWeights(Trainer t)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        foreach (var nets in new[] { t.Nets, t.Ema })
            foreach (var (name, module) in nets.Modules)
                foreach (var (key, p) in module.named_parameters())
                    if (!p.isfinite().all().item<bool>())
                        throw new TrainingDivergedException($"weights {name}.{key} became non-finite at step {t.Step}; no checkpoint is written for this state");
    }

    static void Write(Trainer t, torch.Generator latentRng, long dataPosition, string dir)
    {
        Directory.CreateDirectory(dir);
        var header = ModelJson(t.Config.Model);
        NativeCheckpoint.Save(FileOf(dir, t.Step, Nets), Nets, t.Step, header, StateDicts(t.Nets));
        NativeCheckpoint.Save(FileOf(dir, t.Step, NetsEma), NetsEma, t.Step, header, StateDicts(t.Ema));

        var groups = t.Optimizers.ToDictionary(o => o.Key, o => (IReadOnlyDictionary<string, Tensor>)o.Value.StateDict());
        using var rngState = latentRng.get_state();
        using var position = tensor(dataPosition);
        groups["trainer"] = new Dictionary<string, Tensor> { ["latent_rng_state"] = rngState, ["data_position"] = position };
        NativeCheckpoint.Save(FileOf(dir, t.Step, Optims), Optims, t.Step, header, groups);
        foreach (var (name, g) in groups)
            if (name != "trainer") foreach (var v in g.Where(kv => kv.Key.EndsWith(".step"))) v.Value.Dispose();
    }

    /// <summary>Restores the newest complete checkpoint that loads: a truncated or corrupt one is skipped with a log line
    /// naming the file and the reason, and the one before it is tried. Throws when none loads.</summary>
    public static (long Step, long DataPosition) LoadNewestGood(Trainer t, torch.Generator latentRng, string dir, Action<string> log)
    {
        RemoveStaleTemporaries(dir, log);
        var steps = CompleteSteps(dir);
        if (steps.Count == 0)
            throw new CheckpointException($"{dir} holds no complete checkpoint to resume from");
        var reasons = new List<string>();
        foreach (long step in steps)
        {
            try
            {
                return (step, Load(t, latentRng, dir, step));
            }
            catch (CheckpointException e)
            {
                // Every later Load overwrites all nets, moments and the RNG, so a half-applied bad file leaves nothing behind.
                log($"skipped the checkpoint of step {step}: {e.Message}");
                reasons.Add(e.Message);
            }
        }
        throw new CheckpointException($"none of the {steps.Count} checkpoint(s) in {dir} can be loaded:{string.Concat(reasons.Select(r => $"{Environment.NewLine}  {r}"))}");
    }

    /// <summary>Temporary files of a save that was killed (AtomicFile names them .NNNNNN_kind.sgl.GUID.tmp).</summary>
    public static void RemoveStaleTemporaries(string dir, Action<string> log)
    {
        if (!Directory.Exists(dir)) return;
        foreach (var f in Directory.EnumerateFiles(dir, ".*.sgl.*.tmp"))
        {
            File.Delete(f);
            log($"removed {Path.GetFileName(f)}, left by a save that was interrupted");
        }
    }

    /// <summary>Restores nets, EMA, optimizer moments and the latent RNG; returns the data position to resume at.</summary>
    public static long Load(Trainer t, torch.Generator latentRng, string dir, long step)
    {
        LoadNets(t.Nets, FileOf(dir, step, Nets), Nets);
        LoadNets(t.Ema, FileOf(dir, step, NetsEma), NetsEma);
        string optims = FileOf(dir, step, Optims);
        using var data = NativeCheckpoint.Load(optims, Optims);
        foreach (var (name, opt) in t.Optimizers)
            opt.LoadStateDict(data.Groups.TryGetValue(name, out var sd) ? sd
                : throw new CheckpointException($"{optims}: no optimizer state for '{name}'"), $"{optims}[{name}]");
        var trainer = data.Groups.TryGetValue("trainer", out var ts) ? ts
            : throw new CheckpointException($"{optims}: no trainer state");
        latentRng.set_state(trainer["latent_rng_state"]);
        t.Step = step;
        return trainer["data_position"].item<long>();
    }

    public static void LoadNets(StarGanNets nets, string file, string kind)
    {
        using var data = NativeCheckpoint.Load(file, kind);
        // The header names the variant that wrote the file: a mismatch is a different architecture, said plainly
        // rather than as a missing or mis-shaped key.
        var written = ModelOf(data.Header, file);
        if ((written.Injection, written.StyleSource, written.Discriminator) != (nets.Model.Injection, nets.Model.StyleSource, nets.Model.Discriminator))
            throw new CheckpointException($"{file} holds a model with {written.Describe()}, but the networks to load have {nets.Model.Describe()}");
        foreach (var (name, module) in nets.Modules)
            Checkpoints.StateDicts.LoadStrict(module, data.Groups.TryGetValue(name, out var sd) ? sd
                : throw new CheckpointException($"{file}: no network '{name}' (has {string.Join(", ", data.Groups.Keys)})"), $"{file}[{name}]");
    }

    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> StateDicts(StarGanNets nets) =>
        nets.Modules.ToDictionary(m => m.Name, m => (IReadOnlyDictionary<string, Tensor>)Checkpoints.StateDicts.Of(m.Module));

    /// <summary>Steps that have a file of this kind (NNNNNN_&lt;kind&gt;.sgl), newest first.</summary>
    public static List<long> Steps(string dir, string kind)
    {
        if (!Directory.Exists(dir)) return [];
        string suffix = $"_{kind}.sgl";
        return Directory.EnumerateFiles(dir, "*" + suffix)
            .Select(f => Path.GetFileName(f))
            .Select(n => long.TryParse(n[..^suffix.Length], out long step) && Path.GetFileName(FileOf(dir, step, kind)) == n ? step : -1)
            .Where(step => step >= 0)
            .OrderDescending()
            .ToList();
    }

    /// <summary>Steps with all three files present, newest first.</summary>
    public static List<long> CompleteSteps(string dir) =>
        Steps(dir, Optims).Where(s => File.Exists(FileOf(dir, s, Nets)) && File.Exists(FileOf(dir, s, NetsEma))).ToList();

    public static void Prune(string dir, int keep)
    {
        foreach (long step in CompleteSteps(dir).Skip(keep))
            foreach (var kind in new[] { Optims, NetsEma, Nets })
                File.Delete(FileOf(dir, step, kind));
    }
}
