using System.Runtime;
using StarGanLab.Native;
using StarGanLab.Runs;
using StarGanLab.Tests.Training;
using StarGanLab.Training;
using Xunit;
using StarGanLab.Experiments;

namespace StarGanLab.Tests.Native;

/// <summary>The training step runs with the GC held off (TorchSharp's implicit Scalars would otherwise race the
/// finalizer) and hands the collector back afterwards.</summary>
[CollectionDefinition("gc", DisableParallelization = true)]
public sealed class GcCollection;

[Collection("gc")]   // the no-GC region is process-wide: no other test may train or allocate meanwhile
public class NoGcRegionTests : TorchTest
{
    [Fact]
    public void Every_phase_of_a_step_runs_without_gc_and_the_gc_is_back_afterwards()
    {
        string root = TinyRuns.TempRoot();
        var cfg = TinyRuns.Config(root, totalIters: 2);
        using var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "g", false), _ => { });
        var modes = new List<GCLatencyMode>();
        s.Trainer.BeforeOptimizerStep = _ => modes.Add(GCSettings.LatencyMode);
        s.Train([]);
        Assert.Equal(8, modes.Count);   // four phases, two steps
        Assert.All(modes, m => Assert.Equal(GCLatencyMode.NoGCRegion, m));
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void The_kernel_self_check_that_every_start_runs_holds_the_gc_off_too()
    {
        var model = new StarGanLab.Config.ModelConfig(ImgSize: 16, NumDomains: 2, LatentDim: 8, StyleDim: 16, WidthConst: 128, MaxConvDim: 16, MappingHidden: 32);
        var modes = new List<GCLatencyMode>();
        StarGanLab.Kernels.RawConv recording = (x, w, b, st, p, g) => { modes.Add(GCSettings.LatencyMode); return StarGanLab.Kernels.ConvKernel.Libtorch(x, w, b, st, p, g); };
        var results = StarGanLab.Kernels.KernelSelfCheck.Run(model, StarGanLab.Kernels.ConvRoute.Native, recording);
        Assert.NotEmpty(results);
        Assert.NotEmpty(modes);
        Assert.All(modes, m => Assert.Equal(GCLatencyMode.NoGCRegion, m));
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void A_region_whose_budget_runs_out_is_counted_not_thrown()
    {
        long lapsed = NoGcRegion.Lapses;
        using (new NoGcRegion(budget: 1 << 20))
        {
            var garbage = new List<byte[]>();
            for (int i = 0; i < 64; i++) garbage.Add(new byte[1 << 20]);
        }
        Assert.True(NoGcRegion.Lapses > lapsed, "the region that ran out of budget was not counted");
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void The_test_host_runs_with_the_large_gen0_budget_of_test_runsettings()
    {
        // Tests call networks outside the library's no-GC regions; rare collections keep the Scalar race unlikely.
        Assert.Equal("0x20000000", Environment.GetEnvironmentVariable("DOTNET_GCgen0size"));
        long before = GC.CollectionCount(0);
        object? keep = null;
        for (int i = 0; i < 1_000_000; i++) keep = new byte[100];   // ~130 MB of garbage: dozens of GCs at the default budget
        GC.KeepAlive(keep);
        Assert.InRange(GC.CollectionCount(0) - before, 0, 3);
    }
}
