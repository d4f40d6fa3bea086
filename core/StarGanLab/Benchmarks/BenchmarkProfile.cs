namespace StarGanLab.Benchmarks;

/// <summary>One phase's convolution throughput: the FLOPs oneDNN's convolutions did in it (from a sitting with
/// oneDNN's profile log) over the phase's time (from a sitting without it, whose times the logging does not touch).</summary>
public sealed record PhaseEfficiency(string Phase, double WallSeconds, PhaseWork Work)
{
    /// <summary>Convolution FLOPs over the phase's whole time: what the phase achieves.</summary>
    public double Gflops => WallSeconds > 0 ? Work.ConvGflop / WallSeconds : 0;

    /// <summary>Convolution FLOPs over the convolution kernels' own time: how fast the kernels run.</summary>
    public double KernelGflops => Work.ConvSeconds > 0 ? Work.ConvGflop / Work.ConvSeconds : 0;

    /// <summary>The phase's time outside oneDNN's primitives: elementwise ops, norms, the optimizer, allocation,
    /// and the dispatch between them. Negative when the logged sitting ran slower than the timed one.</summary>
    public double OutsideOneDnnSeconds => WallSeconds - Work.OneDnnSeconds;
}

/// <summary>What <c>stargan bench --profile</c> reports: each phase's efficiency, the whole iteration's, and the
/// peak they are measured against.</summary>
public sealed record BenchmarkProfile(IReadOnlyList<PhaseEfficiency> Phases, ConvPeak.Result Peak, double? GivenPeakGflops)
{
    public PhaseEfficiency Iteration => new("iteration", Phases.Sum(p => p.WallSeconds), new PhaseWork("iteration",
        Phases.Sum(p => p.Work.ConvGflopForward), Phases.Sum(p => p.Work.ConvGflopBackwardData), Phases.Sum(p => p.Work.ConvGflopBackwardWeights),
        Phases.Sum(p => p.Work.ConvSeconds), Phases.Sum(p => p.Work.ReorderSeconds), Phases.Sum(p => p.Work.OtherSeconds),
        Phases.Sum(p => p.Work.Convolutions), Phases.Sum(p => p.Work.Reorders)));

    /// <summary>Pairs each phase of the logged sitting with its median time in the timed one.</summary>
    public static BenchmarkProfile Of(TrainingBenchmarkResult timed, IReadOnlyList<PhaseWork> work, ConvPeak.Result peak, double? givenPeakGflops)
    {
        var phases = work.Select(w => new PhaseEfficiency(w.Phase,
            timed.PhaseMedians[w.Phase] ?? throw new FormatException($"the profile log names a phase the benchmark does not time: '{w.Phase}'"), w)).ToList();
        return new BenchmarkProfile(phases, peak, givenPeakGflops);
    }
}
