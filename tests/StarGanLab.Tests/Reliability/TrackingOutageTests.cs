using StarGanLab.Runs;
using StarGanLab.Tests.Tracking;
using StarGanLab.Tests.Training;
using StarGanLab.Tracking;
using StarGanLab.Training;
using StarGanLab.Experiments.Hooks;
using Xunit;
using StarGanLab.Experiments;

namespace StarGanLab.Tests.Reliability;

/// <summary>A tracking server that is never there while training runs. 500 / 429 / timeouts, a slow server, outages
/// that end and refused credentials are covered in Tracking/MlflowRestSinkTests and Tracking/TrackerTests.</summary>
public class TrackingOutageTests : TorchTest
{
    [Fact]
    public void With_no_server_for_the_whole_run_training_finishes_and_the_resumed_run_delivers_everything_once()
    {
        int port;
        using (var gone = new FakeMlflowServer()) port = gone.Uri.Port;   // nothing listens there while training runs
        string uri = $"http://127.0.0.1:{port}/";
        string? Env(string key) => key == "MLFLOW_TRACKING_URI" ? uri : null;
        string root = TinyRuns.TempRoot();
        var cfg = TinyRuns.Config(root, totalIters: 6, saveEvery: 3, workers: 0);
        var log = new Messages();

        using (var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "offline", false), _ => { }))
        using (var tracker = TrackingFactory.FromEnvironment(s.Run.Path, log.Add, Env, MlflowRestOptions.Fast))
        {
            s.Train([new LossLogHook(1), new CheckpointHook(3, 0), new TrackingHook(tracker, 1, flushTimeout: TimeSpan.FromMilliseconds(200))]);
            Assert.Equal(6, s.Trainer.Step);
            // The warning comes from the background delivery, which a loaded machine may not have run by the last step.
            SpinWait.SpinUntil(() => log.Count("training goes on") > 0, TimeSpan.FromSeconds(30));
        }
        Assert.True(log.Count("training goes on") == 1, "one warning for the whole run, not one per step; messages:\n" + string.Join("\n", log.All));
        Assert.Equal(6, File.ReadAllLines(Path.Combine(root, "offline", "losses.jsonl")).Length);

        using var server = new FakeMlflowServer(port);
        using (var s = TrainingSession.Resume(RunDirectory.Open(Path.Combine(root, "offline")), ["train.total_iters=7"], _ => { }))
        using (var tracker = TrackingFactory.FromEnvironment(s.Run.Path, log.Add, Env, MlflowRestOptions.Fast))
            s.Train([new LossLogHook(1), new CheckpointHook(3, 0), new TrackingHook(tracker, 1, flushTimeout: TimeSpan.FromSeconds(30))]);   // returns once delivered

        Assert.True(server.Runs.Count == 1, $"{server.Runs.Count} runs on the server; messages:\n" + string.Join("\n", log.All));
        var run = server.Runs.Values.Single();
        var steps = run.Metrics.Where(m => m.Key == "D/latent_real").Select(m => m.Step).ToList();
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], steps);   // in order, none lost, none twice
        Assert.Equal("FINISHED", run.Status);
        Assert.Empty(server.Violations);
    }
}
