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
    public void Threads_0_takes_the_idle_cores_records_them_in_the_run_and_a_resume_keeps_them()
    {
        int standard = TorchRuntime.DefaultThreads;
        Assert.True(standard >= 1);
        string root = TinyRuns.TempRoot();
        var cfg = TinyRuns.Config(root, totalIters: 1, saveEvery: 1);
        var log = new List<string>();
        try
        {
            using (TrainingSession.Start(cfg with { Threads = 1 }, RunDirectory.Create(root, "one", false), _ => { }))
                Assert.Equal(1, get_num_threads());
            int chosen;
            using (var s = TrainingSession.Start(cfg with { Threads = 0 }, RunDirectory.Create(root, "auto", false), log.Add))
            {
                chosen = s.Config.Threads;
                Assert.InRange(chosen, 1, standard);
                Assert.Equal(chosen, get_num_threads());   // set anew, not left at the previous session's 1
                s.Train([new StarGanLab.Experiments.Hooks.CheckpointHook(1, 0)]);
            }
            Assert.Contains(log, l => l.StartsWith($"threads: {chosen} (threads 0 takes the idle cores", StringComparison.Ordinal));
            Assert.Contains($"threads: {chosen}\n", File.ReadAllText(Path.Combine(root, "auto", "config.yaml")));
            set_num_threads(standard);
            using (var resumed = TrainingSession.Resume(RunDirectory.Open(Path.Combine(root, "auto")), [], _ => { }))
                Assert.Equal(chosen, get_num_threads());
        }
        finally
        {
            set_num_threads(standard);
        }
    }

    [Fact]
    public void The_idle_cores_are_read_from_the_kernel()
    {
        double? idle = CpuIdle.Cores(TimeSpan.FromMilliseconds(100));
        Assert.NotNull(idle);   // Linux: /proc/stat
        Assert.InRange(idle!.Value, 0, Environment.ProcessorCount);
        Assert.Equal(3, TorchRuntime.ResolveThreads(3));   // an explicit count is kept
    }
}
