using StarGanLab.Training;
using StarGanLab.Training.Hooks;
using Xunit;

namespace StarGanLab.Tests.Training;

public class HookTimingTests
{
    sealed class SlowHook : ITrainHook;
    sealed class FastHook : ITrainHook;

    [Fact]
    public void Sums_each_hooks_time_and_reports_the_slow_ones_with_their_share_of_the_run()
    {
        var timing = new HookTiming();
        var slow = new SlowHook();
        var fast = new FastHook();
        for (int i = 0; i < 3; i++)
        {
            timing.Time(slow, () => Thread.Sleep(20));
            timing.Time(fast, () => { });
        }
        Assert.True(timing.Spent[slow] >= TimeSpan.FromMilliseconds(60));
        Assert.True(timing.Spent[fast] < TimeSpan.FromMilliseconds(5));

        var line = timing.Report(TimeSpan.FromSeconds(10))!;
        Assert.StartsWith("hooks took ", line);
        Assert.Contains("SlowHook", line);
        Assert.DoesNotContain("FastHook", line);   // under 50 ms: left out
        Assert.Contains(" of 10.0 s (", line);
    }

    [Fact]
    public void A_hook_that_throws_is_still_timed_and_the_error_passes_through()
    {
        var timing = new HookTiming();
        var hook = new SlowHook();
        Assert.Throws<InvalidOperationException>(() => timing.Time(hook, () => { Thread.Sleep(10); throw new InvalidOperationException("x"); }));
        Assert.True(timing.Spent[hook] >= TimeSpan.FromMilliseconds(10));
    }

    [Fact]
    public void No_report_when_no_hook_took_time()
    {
        var timing = new HookTiming();
        timing.Time(new FastHook(), () => { });
        Assert.Null(timing.Report(TimeSpan.FromSeconds(1)));
    }
}
