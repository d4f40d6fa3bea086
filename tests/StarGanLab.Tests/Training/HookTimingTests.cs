using StarGanLab.Training;
using StarGanLab.Experiments.Hooks;
using Xunit;

namespace StarGanLab.Tests.Training;

public class HookTimingTests
{
    sealed class SlowHook : ITrainHook;
    sealed class FastHook : ITrainHook;

    /// <summary>Time that moves only when told: a GC pause of the test process must not make an empty hook slow.</summary>
    sealed class ManualClock : TimeProvider
    {
        long ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
        public override long GetTimestamp() => ticks;
        public void Advance(TimeSpan t) => ticks += t.Ticks;
    }

    [Fact]
    public void Sums_each_hooks_time_and_reports_the_slow_ones_with_their_share_of_the_run()
    {
        var clock = new ManualClock();
        var timing = new HookTiming(clock);
        var slow = new SlowHook();
        var fast = new FastHook();
        for (int i = 0; i < 3; i++)
        {
            timing.Time(slow, () => clock.Advance(TimeSpan.FromMilliseconds(20)));
            timing.Time(fast, () => { });
        }
        Assert.Equal(TimeSpan.FromMilliseconds(60), timing.Spent[slow]);
        Assert.Equal(TimeSpan.Zero, timing.Spent[fast]);

        var line = timing.Report(TimeSpan.FromSeconds(10))!;
        Assert.StartsWith("hooks took ", line);
        Assert.Contains("SlowHook", line);
        Assert.DoesNotContain("FastHook", line);   // under 50 ms: left out
        Assert.Contains(" of 10.0 s (", line);
    }

    [Fact]
    public void A_hook_that_throws_is_still_timed_and_the_error_passes_through()
    {
        var clock = new ManualClock();
        var timing = new HookTiming(clock);
        var hook = new SlowHook();
        Assert.Throws<InvalidOperationException>(() => timing.Time(hook, () => { clock.Advance(TimeSpan.FromMilliseconds(10)); throw new InvalidOperationException("x"); }));
        Assert.Equal(TimeSpan.FromMilliseconds(10), timing.Spent[hook]);
    }

    [Fact]
    public void No_report_when_no_hook_took_time()
    {
        var timing = new HookTiming(new ManualClock());
        timing.Time(new FastHook(), () => { });
        Assert.Null(timing.Report(TimeSpan.FromSeconds(1)));
    }
}
