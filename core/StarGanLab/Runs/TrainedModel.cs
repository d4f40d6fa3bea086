using StarGanLab.Config;
using StarGanLab.Native;
using StarGanLab.Networks;
using StarGanLab.Training;
using static TorchSharp.torch;

namespace StarGanLab.Runs;

/// <summary>The EMA networks of one checkpoint of a run (ours or an imported official one), in eval mode, with the
/// run's resolved config and, for high-pass models, the FAN that makes their masks: what sampling, translation and
/// evaluation need. Owns the networks.</summary>
public sealed class TrainedModel : IDisposable
{
    public required RunDirectory Run { get; init; }
    public required ExperimentConfig Config { get; init; }
    public required StarGanNets Nets { get; init; }
    public required long Step { get; init; }
    public required Device Device { get; init; }
    /// <summary>The FAN's masks when model.w_hpf &gt; 0, else null.</summary>
    public FanMasker? Masker { get; init; }

    /// <summary>Loads the nets_ema checkpoint of <paramref name="step"/> (default: the newest) from
    /// <paramref name="runDir"/>. <paramref name="device"/> overrides the run's device setting; <paramref name="overrides"/>
    /// (--set key=value) apply to the run's config for this use only (e.g. data.root for an evaluation).</summary>
    public static TrainedModel Load(string runDir, long? step = null, string? device = null, Action<string>? log = null,
                                    IReadOnlyList<string>? overrides = null)
    {
        log ??= _ => { };
        var run = RunDirectory.Open(runDir);
        var cfg = ConfigLoader.Load(run.ConfigFile, overrides, new ConfigLoadOptions(Use: ConfigUse.Inference));
        var dev = TorchRuntime.Initialize(device ?? cfg.Device, cfg.Threads);
        Kernels.KernelGuard.Ensure(cfg.Model, cfg.Kernels);
        var steps = TrainerCheckpoints.Steps(run.CheckpointDir, TrainerCheckpoints.NetsEma);
        if (steps.Count == 0)
            throw new FileNotFoundException($"{run.CheckpointDir}: no {TrainerCheckpoints.NetsEma} checkpoint to load (train first, or import an official one)");
        long s = step ?? steps[0];
        if (!steps.Contains(s))
            throw new FileNotFoundException($"{run.CheckpointDir}: no {TrainerCheckpoints.NetsEma} checkpoint at step {s} (have {string.Join(", ", steps)})");

        var nets = StarGanNets.Create(cfg.Model, withDiscriminator: false);
        FanMasker? masker = null;
        try
        {
            TrainerCheckpoints.LoadNets(nets, TrainerCheckpoints.FileOf(run.CheckpointDir, s, TrainerCheckpoints.NetsEma), TrainerCheckpoints.NetsEma);
            nets.To(dev);
            nets.Train(false);
            if (cfg.Model.WHpf > 0) masker = FanMasker.Load(cfg.Fan.WingPath, dev, log);
        }
        catch
        {
            nets.Dispose();
            throw;
        }
        return new TrainedModel { Run = run, Config = cfg, Nets = nets, Step = s, Device = dev, Masker = masker };
    }

    /// <summary>Sampling and translation draw styles from the mapping network and the style encoder; the ablation
    /// variants without domain-specific style codes (Table 1 A-D) have neither, so they are refused by name.</summary>
    public void RequireStyleCodes(string what)
    {
        if (!Config.Model.HasReferences())
            throw new ArgumentException($"{Run.Path}: {what} needs domain-specific style codes (model.style_source: style); this run is {Config.Model.Describe()}");
    }

    public void Dispose()
    {
        Nets.Dispose();
        Masker?.Dispose();
    }
}
