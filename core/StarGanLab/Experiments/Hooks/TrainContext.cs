using StarGanLab.Config;
using StarGanLab.Data;
using StarGanLab.Runs;
using TorchSharp;
using StarGanLab.Training;

namespace StarGanLab.Experiments.Hooks;

/// <summary>What hooks may read: the trainer (nets, EMA, step), the run folder, the config, the fixed validation
/// images, timing, and the generators whose state makes a resumed run identical to an uninterrupted one.</summary>
public sealed class TrainContext
{
    public required Trainer Trainer { get; init; }
    public required RunDirectory Run { get; init; }
    public required ExperimentConfig Config { get; init; }
    public required LabeledImages Val { get; init; }
    public required torch.Generator LatentRng { get; init; }
    public required Func<long> DataPosition { get; init; }
    public required Action<string> Log { get; init; }
    public long Step => Trainer.Step;
    /// <summary>Set when the loop ended with an error (e.g. a non-finite loss): hooks must not save its state.</summary>
    public bool Failed { get; set; }
    public long TotalIters => Config.Train.TotalIters;
    /// <summary>Seconds per iteration, averaged since the last report.</summary>
    public double SecondsPerIter { get; set; }
    /// <summary>Seconds per iteration the step waited for its batch (0 when decoding keeps ahead).</summary>
    public double DataWaitPerIter { get; set; }
}
