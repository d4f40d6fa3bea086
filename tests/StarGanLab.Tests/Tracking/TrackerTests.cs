using StarGanLab.Tracking;
using Xunit;

namespace StarGanLab.Tests.Tracking;

public class TrackerTests
{
    [Fact]
    public void A_failing_sink_warns_once_never_throws_and_catches_up_in_order()
    {
        var flaky = new RecordingSink { Fail = true };
        var healthy = new RecordingSink();
        var log = new Messages();
        var tracker = new Tracker([flaky, healthy], log.Add);

        tracker.StartRun("e", "r", [("a", "1")], []);
        for (long step = 1; step <= 100; step++) tracker.LogMetrics(step, [("loss", step)]);
        Assert.Equal(1, log.Count("failed"));
        Assert.Equal(101, healthy.Calls.Count);    // the other sink is unaffected

        flaky.Fail = false;
        tracker.LogMetrics(101, [("loss", 101)]);
        tracker.EndRun(RunStatus.Finished);
        Assert.Equal(["start", .. Enumerable.Range(1, 101).Select(s => $"metrics {s}"), "end Finished"], flaky.Calls);
        Assert.Equal(1, log.Count("works again"));
        Assert.Equal(2, log.All.Count);
    }

    [Fact]
    public void A_sink_that_never_recovers_is_reported_at_flush()
    {
        var broken = new RecordingSink { Fail = true };
        var log = new Messages();
        var tracker = new Tracker([broken], log.Add);
        tracker.StartRun("e", "r", [], []);
        tracker.LogMetrics(1, [("loss", 1)]);
        tracker.EndRun(RunStatus.Failed);
        tracker.Flush(TimeSpan.Zero);
        Assert.Equal(1, log.Count("failed ("));
        Assert.Equal(1, log.Count("3 call(s)"));
    }
}
