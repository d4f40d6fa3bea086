using StarGanLab.Config;
using StarGanLab.Networks;

namespace StarGanLab.Training;

/// <summary>The memory (peak resident set) training a config on the CPU needs, worked out from the config before anything is
/// allocated, in bytes: the weights with their gradients, Adam moments and EMA copies; the activations one step keeps
/// for backward; the data queue; and the runtime itself.</summary>
/// <remarks>
/// Calibration. The weights and activations are counted exactly (<see cref="NetworkSizes"/>), then scaled by
/// factors fitted (least squares on relative error) to the peak RSS that `stargan bench` measured for ten configs
/// (docs/performance.md: official widths, 2 domains, w_hpf 0, at 64/128/256 px and batch 1/4/8, 2.4-13.9 GiB; and
/// the quickstart at 16 px, batch 4, 290 MiB), with glibc malloc tuned as training tunes it:
/// runtime 186 MiB; weights x 1.4 (the optimiser step's temporaries, checkpoint copies, allocator slack);
/// activations x 2.85 over the feature maps at the blocks' inputs and outputs of three generator and three
/// D/E passes, the G phases' retained graph. Every one of the ten is within 5% of its measurement
/// (MemoryEstimateTests holds them to 10%). With train.accumulate K &gt; 1 the activations are one micro-batch's (batch / K)
/// and a fitted 1.2 x the parameters' float32 size is added (0.35 GiB at official widths): at 256 px, batch 8, K = 2,
/// 4, 8 the peaks were 8.0, 5.7 and 4.2 GiB, above what the same micro-batch needs alone by about that much (the heap
/// keeping blocks of the K passes; not isolated further); the three are within 8% (GradientAccumulationTests). Not modelled: the FAN's activations (it runs without gradients, one
/// batch at a time), evaluation (a separate pass after training), and a GPU's own memory.
/// </remarks>
public sealed record MemoryEstimate(long Weights, long Activations, long Data, long Runtime)
{
    const long MiB = 1L << 20;
    const double GiB = 1L << 30;
    const long RuntimeBytes = 186 * MiB;
    const double WeightFactor = 1.4, ActivationFactor = 2.85, AccumulationFactor = 1.2;
    const int FloatBytes = 4;

    public long Total => Weights + Activations + Data + Runtime;

    public static MemoryEstimate Of(ExperimentConfig cfg)
    {
        var m = cfg.Model;
        var p = NetworkSizes.Of(m);
        // weights, gradients and two Adam moments of every network, the EMA copies, and the FAN when masks are used
        double weights = FloatBytes * (4.0 * p.All + (cfg.Optim.Ema ? p.WithEma : 0) + (m.WHpf > 0 ? NetworkSizes.FanParameters : 0));
        var (g, t) = NetworkSizes.FeatureElements(m);
        // one micro-batch's working set at a time (train.accumulate); with accumulation D's two fakes of the whole
        // batch are held as images besides, and the heap keeps more than one micro-batch's activations (fitted, see remarks)
        int k = Math.Max(1, cfg.Train.Accumulate);
        double activations = FloatBytes * (double)cfg.Train.BatchSize / k * 3 * (g + t);
        double heldFakes = k == 1 ? 0 : FloatBytes * (double)cfg.Train.BatchSize * 2 * 3 * m.ImgSize * m.ImgSize
                                         + AccumulationFactor * FloatBytes * p.All;
        // every queued or assembling batch: x_src, x_ref, x_ref2 as float32
        double batch = FloatBytes * (double)cfg.Train.BatchSize * 3 * 3 * m.ImgSize * m.ImgSize;
        double data = batch * (cfg.Data.Prefetch + cfg.Data.Workers + 1);
        return new((long)Math.Min(WeightFactor * weights, long.MaxValue / 4), (long)Math.Min(ActivationFactor * activations + heldFakes, long.MaxValue / 4),
                   (long)Math.Min(data, long.MaxValue / 4), RuntimeBytes);
    }

    /// <summary>The memory this process may use: the machine's, or its container's limit.</summary>
    public static long Available => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Throws when a config that trains on the CPU cannot fit in <paramref name="available"/> bytes (by
    /// default this machine's), saying how much it needs and where. On a GPU the activations live in the device's
    /// memory, which this estimate does not model, so nothing is refused there.</summary>
    public void RequireFits(ExperimentConfig cfg, long? available = null)
    {
        long have = available ?? Available;
        if (Total <= have || Native.TorchRuntime.ResolveDevice(cfg.Device).type != TorchSharp.DeviceType.CPU) return;
        throw new InvalidOperationException(
            $"this config needs about {Show(Total)} of memory ({Breakdown()}) but this machine has {Show(have)}; " +
            $"split the batch with train.accumulate ({cfg.Train.Accumulate}; the same gradients with less memory), or " +
            $"lower train.batch_size ({cfg.Train.BatchSize}), model.img_size ({cfg.Model.ImgSize}) or the widths " +
            $"(model.width_const {cfg.Model.WidthConst}, model.max_conv_dim {cfg.Model.MaxConvDim}, model.style_dim {cfg.Model.StyleDim})");
    }

    /// <summary>"weights, gradients, Adam and EMA 1.4 GiB, activations of one step 2.9 GiB, ..."</summary>
    public string Breakdown() =>
        $"weights, gradients, Adam moments and EMA copies {Show(Weights)}, activations of one step {Show(Activations)}, " +
        $"data queue {Show(Data)}, runtime {Show(Runtime)}";

    public static string Show(long bytes) => bytes >= GiB ? $"{bytes / GiB:0.0} GiB" : $"{bytes / (double)MiB:0} MiB";
}
