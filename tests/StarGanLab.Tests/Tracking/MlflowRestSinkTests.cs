using System.Net.Http.Headers;
using System.Text;
using StarGanLab.Tracking;
using Xunit;

namespace StarGanLab.Tests.Tracking;

public class MlflowRestSinkTests
{
    static readonly MlflowRestOptions Fast = MlflowRestOptions.Fast;
    // An upper bound only (every wait returns when its condition holds): generous, because the suite trains beside
    // these tests and a loaded 2-core machine can hold the background delivery back for seconds.
    static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    static MlflowRestSink Sink(FakeMlflowServer server, string runDir, Messages log, MlflowCredentials? credentials = null) =>
        new(new MlflowRestClient(server.Uri, credentials, Fast), runDir, log.Add, Fast, user: "tester");

    static List<(string, double)> Losses(long step) => [("D/latent_real", 0.5 + step), ("G/lambda_ds", 1.0 / step), ("s_per_iter", 0.25)];

    static (string Key, string Value)[] Params(int n) => Enumerable.Range(0, n).Select(i => ($"section.key_{i:D3}", $"v{i}")).ToArray();

    [Fact]
    public void A_run_arrives_in_the_documented_calls_and_shapes()
    {
        using var server = new FakeMlflowServer();
        string runDir = TrackingTemp.Dir();
        var log = new Messages();
        string png = Path.Combine(runDir, "000004_reference.png");
        File.WriteAllBytes(png, [1, 2, 3, 4]);
        using (var sink = Sink(server, runDir, log))
        {
            sink.StartRun("quickstart", "quickstart-001", Params(120),
                [(TrackingTags.GitCommit, new string('a', 40)), (TrackingTags.Source, "stargan train q.yaml"), ("preset", "quick")]);
            for (long step = 2; step <= 6; step += 2) sink.LogMetrics(step, 1_700_000_000_000 + step, Losses(step));
            sink.LogArtifact(png, "samples");
            sink.EndRun(RunStatus.Finished, 1_700_000_000_999);
            Assert.True(sink.Flush(Wait), string.Join("\n", log.All));
        }

        Assert.Empty(server.Violations);
        Assert.Equal(404, server.Calls("experiments/get-by-name")[0].Status);          // looked up first, then created
        Assert.Single(server.Calls("experiments/create"));
        var create = server.Calls("runs/create").Single().Json!;
        Assert.Equal("1", create["experiment_id"]!.GetValue<string>());
        Assert.Equal("quickstart-001", create["run_name"]!.GetValue<string>());
        var run = server.Runs.Values.Single();
        Assert.Equal("tester", run.Tags["mlflow.user"]);
        Assert.Equal("quickstart-001", run.Tags["mlflow.runName"]);
        Assert.Equal(new string('a', 40), run.Tags["mlflow.source.git.commit"]);
        Assert.Equal("stargan train q.yaml", run.Tags["mlflow.source.name"]);
        Assert.Equal("quick", run.Tags["preset"]);
        Assert.Equal(120, run.Params.Count);
        Assert.Equal("v7", run.Params["section.key_007"]);
        // 120 params need two requests (<= 100 each); the three metric steps were queued by then and may share one.
        Assert.All(server.Calls("runs/log-batch"), r => Assert.True(r.Json!["params"]!.AsArray().Count <= 100));
        Assert.Equal(9, run.Metrics.Count);
        Assert.Equal([2L, 2, 2, 4, 4, 4, 6, 6, 6], run.Metrics.Select(m => m.Step));
        Assert.Equal(1_700_000_000_004, run.Metrics.First(m => m.Step == 4).Timestamp);   // time of logging, not of sending
        Assert.Equal(4.5, run.Metrics.First(m => m.Step == 4 && m.Key == "D/latent_real").Value);
        string runId = server.Runs.Keys.Single();
        Assert.Equal([1, 2, 3, 4], server.Artifacts[$"1/{runId}/artifacts/samples/000004_reference.png"]);
        Assert.Equal("FINISHED", run.Status);
        Assert.Equal(1_700_000_000_999, run.EndTime);
        Assert.All(server.Requests.Where(r => r.Method == "POST"), r => Assert.StartsWith("application/json", r.ContentType));
        Assert.DoesNotContain(log.All, m => m.Contains("tracking:"));
    }

    [Fact]
    public async Task Log_batch_splits_any_amount_into_requests_within_every_limit()
    {
        using var server = new FakeMlflowServer();
        using var client = new MlflowRestClient(server.Uri, null, Fast);
        string exp = await client.GetOrCreateExperiment("limits");
        var (runId, _) = await client.CreateRun(exp, "r", 1, []);
        var metrics = Enumerable.Range(0, 2500).Select(i => new MetricPoint($"m{i % 7}", i, 1000 + i, i)).ToList();
        var ps = Enumerable.Range(0, 250).Select(i => ($"p{i}", new string('x', i == 0 ? 7000 : 6000))).ToList();
        var tags = Enumerable.Range(0, 150).Select(i => ($"t{i}", new string('y', 5000))).ToList();

        int requests = await client.LogBatch(runId, metrics, ps, tags);

        Assert.Empty(server.Violations);
        Assert.True(requests >= 5, $"{requests} requests");
        Assert.All(server.Calls("runs/log-batch"), r => Assert.True(r.Body.Length <= 1_000_000, $"{r.Body.Length} bytes"));
        var run = server.Runs[runId];
        Assert.Equal(2500, run.Metrics.Count);
        Assert.Equal(250, run.Params.Count);
        Assert.Equal(6000, run.Params["p0"].Length);     // cut to the limit instead of failing the batch
        Assert.Equal(150, run.Tags.Count);
    }

    [Fact]
    public async Task The_fake_server_rejects_what_a_real_one_rejects()
    {
        using var server = new FakeMlflowServer();
        using var http = new HttpClient { BaseAddress = server.Uri };
        using var client = new MlflowRestClient(server.Uri, null, Fast);
        var (runId, _) = await client.CreateRun(await client.GetOrCreateExperiment("e"), "r", 1, []);

        string metrics = string.Join(",", Enumerable.Range(0, 1001).Select(i => $"{{\"key\":\"m\",\"value\":1,\"timestamp\":1,\"step\":{i}}}"));
        var tooMany = await http.PostAsync("api/2.0/mlflow/runs/log-batch", new StringContent($"{{\"run_id\":\"{runId}\",\"metrics\":[{metrics}]}}", Encoding.UTF8, "application/json"));
        var wrongType = await http.PostAsync("api/2.0/mlflow/runs/log-batch", new StringContent($"{{\"run_id\":\"{runId}\"}}", Encoding.UTF8, "text/plain"));
        var noRunId = await http.PostAsync("api/2.0/mlflow/runs/log-batch", new StringContent("{\"metrics\":[]}", Encoding.UTF8, "application/json"));
        var big = await http.PostAsync("api/2.0/mlflow/runs/log-batch", new StringContent($"{{\"run_id\":\"{runId}\",\"tags\":[{{\"key\":\"t\",\"value\":\"{new string('z', 1_000_001)}\"}}]}}", Encoding.UTF8, "application/json"));

        Assert.Equal([400, 400, 400, 400], new[] { tooMany, wrongType, noRunId, big }.Select(r => (int)r.StatusCode));
        Assert.Equal(4, server.Violations.Count);
        await client.LogBatch(runId, [], [("p", "1")], []);
        var changed = await Assert.ThrowsAsync<MlflowException>(() => client.LogBatch(runId, [], [("p", "2")], []));   // params are write-once
        Assert.Equal(MlflowFailure.Rejected, changed.Kind);
        Assert.Equal("INVALID_PARAMETER_VALUE", changed.ErrorCode);
    }

    [Fact]
    public void Errors_500_429_and_a_timeout_are_retried_and_nothing_arrives_twice()
    {
        using var server = new FakeMlflowServer();
        string runDir = TrackingTemp.Dir();
        var log = new Messages();
        // Only the injected stall (3 s) may outlast the client's timeout; ordinary requests must not (see Fast).
        var options = Fast with { RequestTimeout = TimeSpan.FromSeconds(2) };
        server.Inject(new FakeMlflowServer.Fault(Status: 500), new FakeMlflowServer.Fault(Status: 429),
                      new FakeMlflowServer.Fault(Stall: TimeSpan.FromSeconds(3)));
        using (var sink = new MlflowRestSink(new MlflowRestClient(server.Uri, null, options), runDir, log.Add, options, user: "tester"))
        {
            sink.StartRun("retry", "r", Params(3), []);
            for (long step = 1; step <= 20; step++) sink.LogMetrics(step, 1000 + step, Losses(step));
            sink.EndRun(RunStatus.Finished, 5000);
            Assert.True(sink.Flush(Wait), string.Join("\n", log.All));
        }

        SpinWait.SpinUntil(() => server.Calls("experiments/get-by-name").Any(r => r.Status == 503), Wait);
        var lookups = server.Calls("experiments/get-by-name").Select(r => r.Status).ToList();
        Assert.Contains(500, lookups);
        Assert.Contains(429, lookups);
        Assert.Contains(503, lookups);                                   // the stalled one, answered after the client gave up
        Assert.Equal(404, lookups.First(s => s is not (500 or 429 or 503)));
        Assert.Empty(server.Violations);
        var run = server.Runs.Values.Single();
        Assert.Equal(60, run.Metrics.Count);
        Assert.Equal(60, run.Metrics.Select(m => (m.Key, m.Step)).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 20).Select(s => (long)s), run.Metrics.Select(m => m.Step).Distinct());
        Assert.Equal("FINISHED", run.Status);
    }

    [Fact]
    public void An_outage_never_slows_the_step_and_the_spool_is_delivered_in_order_afterwards()
    {
        using var server = new FakeMlflowServer { Down = true };
        string runDir = TrackingTemp.Dir();
        var log = new Messages();
        using var sink = Sink(server, runDir, log);
        sink.StartRun("outage", "r", Params(5), []);
        for (long step = 1; step <= 50; step++)
        {
            sink.LogMetrics(step, 1000 + step, Losses(step));
            if (step == 25)   // let the background task run into the outage
                Assert.True(SpinWait.SpinUntil(() => log.Count("training goes on") == 1, Wait),
                    $"no outage warning after {Wait.TotalSeconds} s; {server.Requests.Count} requests reached the server; messages:\n{string.Join("\n", log.All)}");
        }
        Assert.False(sink.Flush(TimeSpan.FromMilliseconds(100)));
        Assert.Equal(51, sink.Undelivered);
        Assert.Equal(51, File.ReadAllLines(sink.SpoolPath).Length);   // on disk before any attempt

        server.Down = false;
        sink.EndRun(RunStatus.Finished, 9999);
        Assert.True(sink.Flush(Wait), string.Join("\n", log.All));

        var run = server.Runs.Values.Single();
        Assert.Equal(150, run.Metrics.Count);
        Assert.Equal(150, run.Metrics.Select(m => (m.Key, m.Step)).Distinct().Count());
        Assert.Equal(run.Metrics.Select(m => m.Step).Order(), run.Metrics.Select(m => m.Step));   // in order
        Assert.True(server.Calls("runs/log-batch").Count <= 3, "the backlog goes out in few batches");
        Assert.Equal(1, log.Count("training goes on"));         // one warning for the whole outage
        Assert.Equal(1, log.Count("reachable again"));
    }

    [Fact]
    public async Task A_hanging_server_never_holds_up_a_log_call()
    {
        // The server answers nothing until the calls are done: a call that waited on it could never return, so the
        // bound below is only how long a broken build takes to fail, not a speed requirement.
        using var server = new FakeMlflowServer();
        server.Answering.Reset();
        string runDir = TrackingTemp.Dir();
        var log = new Messages();
        using var sink = Sink(server, runDir, log);
        var calls = Task.Run(() =>
        {
            sink.StartRun("hang", "r", Params(5), []);
            for (long step = 1; step <= 50; step++) sink.LogMetrics(step, 1000 + step, Losses(step));
        });
        await calls.WaitAsync(Wait);   // a TimeoutException here: a log call waited for a server that never answers
        Assert.Empty(server.Requests);   // nothing was answered while the calls ran
        Assert.Equal(51, File.ReadAllLines(sink.SpoolPath).Length);   // every entry is on disk already
        server.Answering.Set();
        sink.EndRun(RunStatus.Finished, 9999);
        Assert.True(sink.Flush(Wait), string.Join("\n", log.All));
        Assert.Equal(150, server.Runs.Values.Single().Metrics.Count);
    }

    [Fact]
    public void A_run_carries_its_user_as_MLflow_s_own_client_sends_it()
    {
        using var server = new FakeMlflowServer();
        var log = new Messages();
        using (var sink = Sink(server, TrackingTemp.Dir(), log))
        {
            sink.StartRun("users", "r", Params(2), []);
            sink.EndRun(RunStatus.Finished, 1);
            Assert.True(sink.Flush(Wait), string.Join("\n", log.All));
        }
        var create = server.Calls("runs/create").Single().Json!;
        Assert.Equal("tester", create["user_id"]!.GetValue<string>());
        Assert.Contains(create["tags"]!.AsArray(), t => t!["key"]!.GetValue<string>() == "mlflow.user" && t["value"]!.GetValue<string>() == "tester");
    }

    [Fact]
    public void A_spool_that_catches_up_moves_the_status_only_forward()
    {
        // A run finished, was resumed and finished again, all while the server was down: delivering the spool in order
        // would show FINISHED, RUNNING, FINISHED; only the last status is sent.
        using var server = new FakeMlflowServer { Down = true };
        string runDir = TrackingTemp.Dir();
        var log = new Messages();
        using (var first = Sink(server, runDir, log))
        {
            first.StartRun("forward", "r", Params(2), []);
            first.LogMetrics(1, 1001, Losses(1));
            first.EndRun(RunStatus.Finished, 1002);
            Assert.False(first.Flush(TimeSpan.FromMilliseconds(50)));
        }
        using (var second = Sink(server, runDir, log))
        {
            second.StartRun("forward", "r", Params(2), []);   // the resumed training run
            second.LogMetrics(2, 2001, Losses(2));
            second.EndRun(RunStatus.Finished, 2002);
            server.Down = false;
            Assert.True(second.Flush(Wait), string.Join("\n", log.All));
        }
        var statuses = server.Calls("runs/update").Select(r => r.Json!["status"]!.GetValue<string>()).ToList();
        Assert.Equal(["FINISHED"], statuses);
        Assert.Equal("FINISHED", server.Runs.Values.Single().Status);
        Assert.Equal(6, server.Runs.Values.Single().Metrics.Count);   // nothing else was skipped
    }

    [Fact]
    public void After_a_restart_undelivered_entries_are_sent_once_and_delivered_ones_not_again()
    {
        using var server = new FakeMlflowServer();
        string runDir = TrackingTemp.Dir();
        var log = new Messages();
        using (var first = Sink(server, runDir, log))
        {
            first.StartRun("restart", "r", Params(3), []);
            first.LogMetrics(1, 1001, Losses(1));
            first.LogMetrics(2, 1002, Losses(2));
            Assert.True(first.Flush(Wait));
            server.Down = true;
            first.LogMetrics(3, 1003, Losses(3));
            first.LogMetrics(4, 1004, Losses(4));
            Assert.False(first.Flush(TimeSpan.FromMilliseconds(50)));
        }   // the process "dies" with two steps spooled

        server.Down = false;
        using (var second = Sink(server, runDir, log))
        {
            second.StartRun("restart", "r", [.. Params(3), ("new.key", "1")], []);   // resumed training run
            second.LogMetrics(5, 1005, Losses(5));
            second.EndRun(RunStatus.Finished, 2000);
            Assert.True(second.Flush(Wait), string.Join("\n", log.All));
        }

        Assert.Single(server.Runs);
        Assert.Single(server.Calls("runs/create"));
        var run = server.Runs.Values.Single();
        Assert.Equal([1L, 2, 3, 4, 5], run.Metrics.Select(m => m.Step).Distinct());
        Assert.Equal(15, run.Metrics.Count);
        Assert.Equal("1", run.Params["new.key"]);
        Assert.Equal("FINISHED", run.Status);
        Assert.Empty(server.Violations);
    }

    [Fact]
    public void Refused_credentials_give_one_clear_warning_and_the_spool_is_kept()
    {
        using var server = new FakeMlflowServer { RequiredAuthorization = "Bearer right-token" };
        string runDir = TrackingTemp.Dir();
        var log = new Messages();
        using var sink = Sink(server, runDir, log, MlflowCredentials.Bearer("wrong-token"));
        sink.StartRun("auth", "r", Params(3), []);
        for (long step = 1; step <= 30; step++) sink.LogMetrics(step, step, Losses(step));
        Assert.False(sink.Flush(Wait));

        var warnings = log.All.Where(m => m.Contains("401")).ToList();
        Assert.Single(warnings);
        Assert.Contains("MLFLOW_TRACKING_TOKEN", warnings[0]);
        Assert.DoesNotContain("wrong-token", warnings[0]);
        Assert.Single(server.Requests);          // no retry storm
        Assert.Equal(31, sink.Undelivered);
    }

    [Fact]
    public async Task Credentials_come_from_the_environment_with_the_token_first()
    {
        using var server = new FakeMlflowServer();
        var env = new Dictionary<string, string?>
        {
            ["MLFLOW_TRACKING_USERNAME"] = "alice", ["MLFLOW_TRACKING_PASSWORD"] = "pw", ["MLFLOW_TRACKING_TOKEN"] = "tok",
        };
        using (var c = new MlflowRestClient(server.Uri, MlflowCredentials.FromEnvironment(env.GetValueOrDefault)))
            await c.GetExperimentIdByName("x");
        env.Remove("MLFLOW_TRACKING_TOKEN");
        using (var c = new MlflowRestClient(server.Uri, MlflowCredentials.FromEnvironment(env.GetValueOrDefault)))
            await c.GetExperimentIdByName("x");

        Assert.Equal("Bearer tok", server.Requests[0].Authorization);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:pw")), server.Requests[1].Authorization);
        Assert.Null(MlflowCredentials.FromEnvironment(_ => null));
    }

    [Fact]
    public void A_planted_password_appears_in_no_file_and_no_message()
    {
        const string secret = "PLANTED-s3cret-7f3a";
        string basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:" + secret));
        using var server = new FakeMlflowServer { RequiredAuthorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("alice:other")) };
        string runDir = TrackingTemp.Dir();
        var log = new Messages();
        var env = new Dictionary<string, string?>
        {
            ["MLFLOW_TRACKING_URI"] = server.Uri.AbsoluteUri, ["MLFLOW_TRACKING_USERNAME"] = "alice", ["MLFLOW_TRACKING_PASSWORD"] = secret,
        };
        using (var tracker = TrackingFactory.FromEnvironment(runDir, log.Add, env.GetValueOrDefault, Fast))
        {
            tracker.StartRun("secret", "r", Params(3), []);
            tracker.LogMetrics(1, Losses(1));
            tracker.EndRun(RunStatus.Failed);
            tracker.Flush(Wait);   // returns at the refusal
        }
        // the same secret in the URI's user info (a common mistake) is used for auth but never shown or stored
        var uriWithSecret = new UriBuilder(server.Uri) { UserName = "alice", Password = secret }.Uri;
        string runDir2 = TrackingTemp.Dir();
        using (var sink = new MlflowRestSink(new MlflowRestClient(uriWithSecret, null, Fast), runDir2, log.Add, Fast))
        {
            sink.StartRun("secret", "r", Params(3), []);
            sink.Flush(Wait);   // returns at the refusal
            log.Add(sink.Describe);
        }

        Assert.True(log.Count("401") >= 2, string.Join("\n", log.All));
        foreach (var file in new[] { runDir, runDir2 }.SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories)))
        {
            string text = File.ReadAllText(file);
            Assert.DoesNotContain(secret, text);
            Assert.DoesNotContain(basic, text);
        }
        foreach (var m in log.All)
        {
            Assert.DoesNotContain(secret, m);
            Assert.DoesNotContain(basic, m);
        }
        Assert.Contains(server.Requests, r => r.Authorization == "Basic " + basic);   // it was sent, only as a header
    }
}
