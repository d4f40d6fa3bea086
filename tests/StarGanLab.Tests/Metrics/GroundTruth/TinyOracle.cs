using StarGanLab.Data;
using StarGanLab.Metrics.GroundTruth;
using StarGanLab.Native;

namespace StarGanLab.Tests.Metrics.GroundTruth;

/// <summary>One oracle for the 16 px synthetic set of <see cref="Training.TinyRuns"/>, trained once per test class on a
/// tiny budget (a few seconds): good enough to tell a perfect translator from an untrained one, which is what the
/// tests need.</summary>
public sealed class TinyOracle : IDisposable
{
    public static readonly OracleOptions Options = new(Steps: 200, BatchSize: 32, Width: 8, LearningRate: 3e-3, HeldOutPerDomain: 50);

    public SyntheticDomains Set { get; } = new(new SyntheticOptions(Domains: 3, PerDomain: 20, ImgSize: 16));
    public SyntheticOracle Oracle { get; }

    public TinyOracle()
    {
        TorchRuntime.EnsureLoaded();
        Oracle = SyntheticOracle.Train(Set, Options);
    }

    public void Dispose() => Oracle.Dispose();
}
