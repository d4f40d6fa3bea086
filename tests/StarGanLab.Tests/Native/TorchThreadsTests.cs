using StarGanLab.Native;
using StarGanLab.Runs;
using StarGanLab.Tests.Training;
using StarGanLab.Training;
using Xunit;
using static TorchSharp.torch;
using StarGanLab.Experiments;

namespace StarGanLab.Tests.Native;

[Collection(TorchThreadsCollection.Name)]
public class TorchThreadsTests : TorchTest
{
    [Fact]
    public void A_session_with_threads_0_after_one_with_threads_1_gets_the_default_count_back()
    {
        int standard = TorchRuntime.DefaultThreads;
        Assert.True(standard >= 1);
        string root = TinyRuns.TempRoot();
        var cfg = TinyRuns.Config(root, totalIters: 1);
        try
        {
            using (TrainingSession.Start(cfg with { Threads = 1 }, RunDirectory.Create(root, "one", false), _ => { }))
                Assert.Equal(1, get_num_threads());
            using (TrainingSession.Start(cfg with { Threads = 0 }, RunDirectory.Create(root, "default", false), _ => { }))
                Assert.Equal(standard, get_num_threads());
        }
        finally
        {
            set_num_threads(standard);
        }
    }
}
