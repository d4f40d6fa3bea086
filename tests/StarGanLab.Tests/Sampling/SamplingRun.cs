using StarGanLab.Data;
using StarGanLab.Runs;
using StarGanLab.Tests.Training;
using StarGanLab.Training;
using StarGanLab.Experiments.Hooks;
using StarGanLab.Experiments;

namespace StarGanLab.Tests.Sampling;

/// <summary>One tiny run (16 px, 3 synthetic domains cat/dog/wild) trained for one step, and synthetic src/ref folders
/// in the ImageFolder layout: 2 sources and 3 references per domain. Shared by the sampling tests.</summary>
public sealed class SamplingRun
{
    public const int Size = 16;
    public string Root { get; } = TinyRuns.TempRoot();
    public string RunDir => Path.Combine(Root, "run");
    public string SrcDir => Path.Combine(Root, "src");
    public string RefDir => Path.Combine(Root, "ref");

    public SamplingRun()
    {
        StarGanLab.Native.TorchRuntime.EnsureLoaded();
        var cfg = TinyRuns.Config(Root, totalIters: 1, saveEvery: 1);
        using (var s = TrainingSession.Start(cfg, RunDirectory.Create(Root, "run", false), _ => { }))
            s.Train([new CheckpointHook(1, 0)]);
        var set = new SyntheticDomains(new SyntheticOptions(3, 4, Size, Seed: 5, ValPerDomain: 4));
        set.Export(SrcDir, 2, Split.Val);
        set.Export(RefDir, 3, Split.Train);
    }
}
