using System.Text.Json;
using System.Text.Json.Nodes;
using StarGanLab.Checkpoints;
using StarGanLab.Config;
using StarGanLab.Networks;
using StarGanLab.Training.Hooks;
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
    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = false };

    public static string FileOf(string dir, long step, string kind) => Path.Combine(dir, $"{step:D6}_{kind}.sgl");

    public static JsonObject ModelJson(ModelConfig model) => (JsonObject)JsonSerializer.SerializeToNode(new { model }, Json)!;

    public static ModelConfig ModelOf(NativeCheckpointHeader header, string file) =>
        header.Config?["model"]?.Deserialize<ModelConfig>(Json)
        ?? throw new CheckpointException($"{file}: the header holds no model configuration");

    public static void Save(TrainContext c, string dir)
    {
        Directory.CreateDirectory(dir);
        var t = c.Trainer;
        var header = ModelJson(c.Config.Model);
        NativeCheckpoint.Save(FileOf(dir, t.Step, Nets), Nets, t.Step, header, StateDicts(t.Nets));
        NativeCheckpoint.Save(FileOf(dir, t.Step, NetsEma), NetsEma, t.Step, header, StateDicts(t.Ema));

        var groups = t.Optimizers.ToDictionary(o => o.Key, o => (IReadOnlyDictionary<string, Tensor>)o.Value.StateDict());
        using var rngState = c.LatentRng.get_state();
        using var position = tensor(c.DataPosition());
        groups["trainer"] = new Dictionary<string, Tensor> { ["latent_rng_state"] = rngState, ["data_position"] = position };
        NativeCheckpoint.Save(FileOf(dir, t.Step, Optims), Optims, t.Step, header, groups);
        foreach (var (name, g) in groups)
            if (name != "trainer") foreach (var v in g.Where(kv => kv.Key.EndsWith(".step"))) v.Value.Dispose();
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
        foreach (var (name, module) in nets.Modules)
            Checkpoints.StateDicts.LoadStrict(module, data.Groups.TryGetValue(name, out var sd) ? sd
                : throw new CheckpointException($"{file}: no network '{name}' (has {string.Join(", ", data.Groups.Keys)})"), $"{file}[{name}]");
    }

    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, Tensor>> StateDicts(StarGanNets nets) =>
        nets.Modules.ToDictionary(m => m.Name, m => (IReadOnlyDictionary<string, Tensor>)Checkpoints.StateDicts.Of(m.Module));

    /// <summary>Steps with all three files present, newest first.</summary>
    public static List<long> CompleteSteps(string dir)
    {
        if (!Directory.Exists(dir)) return [];
        return Directory.EnumerateFiles(dir, "*_optims.sgl")
            .Select(f => Path.GetFileName(f)[..6])
            .Where(s => long.TryParse(s, out _))
            .Select(long.Parse)
            .Where(s => File.Exists(FileOf(dir, s, Nets)) && File.Exists(FileOf(dir, s, NetsEma)))
            .OrderDescending()
            .ToList();
    }

    public static void Prune(string dir, int keep)
    {
        foreach (long step in CompleteSteps(dir).Skip(keep))
            foreach (var kind in new[] { Optims, NetsEma, Nets })
                File.Delete(FileOf(dir, step, kind));
    }
}
