using StarGanLab.Tracking;
using Xunit;

namespace StarGanLab.Tests.Tracking;

public class TrackingFactoryTests
{
    static ITrackingSink Sink(string? uri, Messages log, string? runDir = null) =>
        TrackingFactory.SinkFromEnvironment(runDir ?? TrackingTemp.Dir(), log.Add,
            name => name == "MLFLOW_TRACKING_URI" ? uri : null, MlflowRestOptions.Fast);

    [Fact]
    public void Unset_uri_means_mlruns_in_the_current_directory()
    {
        using var sink = Sink(null, new Messages());
        Assert.Equal(Path.GetFullPath("mlruns"), Assert.IsType<MlflowFileStore>(sink).Root);
    }

    [Fact]
    public void Paths_and_file_uris_mean_the_file_store_there()
    {
        string dir = TrackingTemp.Dir();
        using var a = Sink(Path.Combine(dir, "m1"), new Messages());
        using var b = Sink(new Uri(Path.Combine(dir, "m2")).AbsoluteUri, new Messages());
        Assert.Equal(Path.Combine(dir, "m1"), Assert.IsType<MlflowFileStore>(a).Root);
        Assert.Equal(Path.Combine(dir, "m2"), Assert.IsType<MlflowFileStore>(b).Root);
    }

    [Fact]
    public void Http_means_the_rest_sink()
    {
        using var sink = Sink("http://127.0.0.1:9/prefix", new Messages());
        Assert.IsType<MlflowRestSink>(sink);
        Assert.Contains("127.0.0.1:9", sink.Describe);
    }

    [Fact]
    public void An_unsupported_scheme_falls_back_to_mlruns_with_a_warning_that_shows_no_credentials()
    {
        var log = new Messages();
        using var sink = Sink("postgresql://bob:hunter2@db/mlflow", log);
        Assert.IsType<MlflowFileStore>(sink);
        Assert.Equal(1, log.Count("not supported"));
        Assert.DoesNotContain(log.All, m => m.Contains("hunter2"));
    }
}
