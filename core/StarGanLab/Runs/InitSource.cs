using System.Security.Cryptography;
using StarGanLab.Checkpoints;
using StarGanLab.Training;

namespace StarGanLab.Runs;

/// <summary>One checkpoint file a fine-tune reads, with what a later reader needs to know it is the same file.</summary>
public sealed record InitFile(string Path, CheckpointFormat Format, string Sha256);

/// <summary>What <c>train.init_from</c> names, resolved to files: the one the training networks start from and, for our
/// nets files, the nets_ema file of the same step that the EMA networks start from (null: the EMA networks start from
/// the training weights, as for an official file, which holds one set of networks).</summary>
public sealed record InitSource(string Given, InitFile Training, InitFile? Ema)
{
    /// <summary>Resolves <paramref name="given"/> (relative to the current directory): a run folder gives its newest
    /// checkpoint (nets and nets_ema of the newest step that has either), a file of ours gives itself and, when it is a
    /// nets file, its nets_ema sibling; an official .ckpt (zip or legacy pickle) gives itself. Files are hashed here, so
    /// the run records exactly what it started from.</summary>
    public static InitSource Resolve(string given)
    {
        string full = System.IO.Path.GetFullPath(given);
        if (Directory.Exists(full)) return FromRun(given, full);
        if (!File.Exists(full))
            throw new FileNotFoundException($"train.init_from: '{given}' ({full}) is neither a checkpoint file nor a run folder", full);
        switch (CheckpointFormats.Detect(full))
        {
            case CheckpointFormat.PyTorchZip or CheckpointFormat.PyTorchLegacy:
                return new InitSource(given, Hash(full), null);
            case CheckpointFormat.Native:
                var header = NativeCheckpoint.ReadHeader(full);
                if (header.Kind == TrainerCheckpoints.NetsEma) return new InitSource(given, Hash(full), null);
                if (header.Kind != TrainerCheckpoints.Nets)
                    throw new CheckpointException($"train.init_from: {full} is a '{header.Kind}' checkpoint, which holds no networks; " +
                                                  $"give a {TrainerCheckpoints.Nets} or {TrainerCheckpoints.NetsEma} file, or the run folder");
                string sibling = TrainerCheckpoints.FileOf(System.IO.Path.GetDirectoryName(full)!, header.Step, TrainerCheckpoints.NetsEma);
                bool paired = File.Exists(sibling) && NativeCheckpoint.ReadHeader(sibling) is { Kind: TrainerCheckpoints.NetsEma } h && h.Step == header.Step;
                return new InitSource(given, Hash(full), paired ? Hash(sibling) : null);
            default:
                throw new CheckpointException($"train.init_from: {full} is not a checkpoint: expected an official .ckpt (zip or legacy pickle) " +
                                              $"or one of our .sgl files, found {CheckpointFormats.Describe(full)}");
        }
    }

    static InitSource FromRun(string given, string full)
    {
        var run = RunDirectory.Open(full);
        var steps = TrainerCheckpoints.Steps(run.CheckpointDir, TrainerCheckpoints.Nets)
            .Union(TrainerCheckpoints.Steps(run.CheckpointDir, TrainerCheckpoints.NetsEma)).ToList();
        if (steps.Count == 0)
            throw new FileNotFoundException($"train.init_from: the run {full} has no {TrainerCheckpoints.Nets} or {TrainerCheckpoints.NetsEma} checkpoint to start from");
        long step = steps.Max();
        string nets = TrainerCheckpoints.FileOf(run.CheckpointDir, step, TrainerCheckpoints.Nets);
        string ema = TrainerCheckpoints.FileOf(run.CheckpointDir, step, TrainerCheckpoints.NetsEma);
        return File.Exists(nets)
            ? new InitSource(given, Hash(nets), File.Exists(ema) ? Hash(ema) : null)
            : new InitSource(given, Hash(ema), null);
    }

    static InitFile Hash(string path)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            return new InitFile(path, CheckpointFormats.Detect(path), Convert.ToHexStringLower(SHA256.HashData(fs)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"train.init_from: {path} cannot be read: {e.Message}", e);
        }
    }
}
