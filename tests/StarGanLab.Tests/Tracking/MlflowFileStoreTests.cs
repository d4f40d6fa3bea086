using System.Text.RegularExpressions;
using StarGanLab.Tracking;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace StarGanLab.Tests.Tracking;

/// <summary>The mlruns/ layout field by field as ECOSYSTEM.md section 1 documents it (mlflow file_store.py).</summary>
public class MlflowFileStoreTests
{
    static YamlMappingNode Yaml(string path)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(path);
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    static YamlScalarNode Scalar(YamlMappingNode map, string key) => (YamlScalarNode)map.Children[new YamlScalarNode(key)];

    static bool IsInt(YamlScalarNode n) => n.Style == YamlDotNet.Core.ScalarStyle.Plain && long.TryParse(n.Value, out _);

    static bool IsString(YamlScalarNode n) => n.Style is YamlDotNet.Core.ScalarStyle.SingleQuoted or YamlDotNet.Core.ScalarStyle.DoubleQuoted;

    static (MlflowFileStore Store, string Root, Messages Log) NewStore(string? runDir = null)
    {
        string root = Path.Combine(TrackingTemp.Dir(), "mlruns");
        var log = new Messages();
        return (new MlflowFileStore(root, runDir, log.Add, user: "tester"), root, log);
    }

    [Fact]
    public void Experiments_and_runs_have_the_documented_meta_yaml()
    {
        var (store, root, _) = NewStore();
        store.StartRun("quickstart", "quickstart-001", [("train.batch_size", "8")], [(TrackingTags.GitCommit, "abc"), ("host", "h")]);

        var def = Yaml(Path.Combine(root, "0", "meta.yaml"));
        Assert.Equal("Default", Scalar(def, "name").Value);
        Assert.Equal("0", Scalar(def, "experiment_id").Value);
        Assert.True(IsString(Scalar(def, "experiment_id")), "experiment_id must be a string");

        string expId = store.ExperimentId!;
        Assert.Matches("^[1-9][0-9]{17,18}$", expId);   // a random large integer, as MLflow makes them
        var exp = Yaml(Path.Combine(root, expId, "meta.yaml"));
        Assert.Equal(["artifact_location", "creation_time", "experiment_id", "last_update_time", "lifecycle_stage", "name"],
                     exp.Children.Keys.Select(k => ((YamlScalarNode)k).Value).Order());
        Assert.Equal(new Uri(Path.Combine(root, expId)).AbsoluteUri, Scalar(exp, "artifact_location").Value);
        Assert.StartsWith("file:///", Scalar(exp, "artifact_location").Value);
        Assert.True(IsInt(Scalar(exp, "creation_time")) && IsInt(Scalar(exp, "last_update_time")), "times are integer ms");
        Assert.InRange(long.Parse(Scalar(exp, "creation_time").Value!), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.Equal(expId, Scalar(exp, "experiment_id").Value);
        Assert.True(IsString(Scalar(exp, "experiment_id")));
        Assert.Equal("active", Scalar(exp, "lifecycle_stage").Value);
        Assert.Equal("quickstart", Scalar(exp, "name").Value);

        string runId = store.RunId!;
        Assert.Matches("^[0-9a-f]{32}$", runId);
        string runPath = Path.Combine(root, expId, runId);
        var run = Yaml(Path.Combine(runPath, "meta.yaml"));
        Assert.Equal(["artifact_uri", "deleted_time", "end_time", "entry_point_name", "experiment_id", "lifecycle_stage", "run_id", "run_name",
                      "run_uuid", "source_name", "source_type", "source_version", "start_time", "status", "tags", "user_id"],
                     run.Children.Keys.Select(k => ((YamlScalarNode)k).Value).Order());
        Assert.Equal(new Uri(Path.Combine(root, expId)).AbsoluteUri + "/" + runId + "/artifacts", Scalar(run, "artifact_uri").Value);
        Assert.Equal("null", Scalar(run, "end_time").Value);
        Assert.Equal("", Scalar(run, "entry_point_name").Value);
        Assert.Equal(expId, Scalar(run, "experiment_id").Value);
        Assert.True(IsString(Scalar(run, "experiment_id")));
        Assert.Equal(runId, Scalar(run, "run_id").Value);
        Assert.Equal(runId, Scalar(run, "run_uuid").Value);
        Assert.Equal("quickstart-001", Scalar(run, "run_name").Value);
        Assert.Equal("4", Scalar(run, "source_type").Value);
        Assert.True(IsInt(Scalar(run, "source_type")));
        Assert.True(IsInt(Scalar(run, "start_time")));
        Assert.Equal("1", Scalar(run, "status").Value);
        Assert.True(IsInt(Scalar(run, "status")), "status is the integer code");
        Assert.IsType<YamlSequenceNode>(run.Children[new YamlScalarNode("tags")]);
        Assert.Equal("tester", Scalar(run, "user_id").Value);
        Assert.Equal("null", Scalar(run, "deleted_time").Value);

        Assert.Equal("quickstart-001", File.ReadAllText(Path.Combine(runPath, "tags", "mlflow.runName")));
        Assert.Equal("tester", File.ReadAllText(Path.Combine(runPath, "tags", "mlflow.user")));
        Assert.Equal("abc", File.ReadAllText(Path.Combine(runPath, "tags", "mlflow.source.git.commit")));
        Assert.Equal("h", File.ReadAllText(Path.Combine(runPath, "tags", "host")));
        Assert.Equal("8", File.ReadAllText(Path.Combine(runPath, "params", "train.batch_size")));   // no newline

        store.EndRun(RunStatus.Finished, 1_700_000_000_123);
        run = Yaml(Path.Combine(runPath, "meta.yaml"));
        Assert.Equal("3", Scalar(run, "status").Value);
        Assert.Equal("1700000000123", Scalar(run, "end_time").Value);
        Assert.True(IsInt(Scalar(run, "end_time")));
    }

    [Theory]
    [InlineData(RunStatus.Finished, "3")]
    [InlineData(RunStatus.Failed, "4")]
    [InlineData(RunStatus.Killed, "5")]
    public void End_status_is_the_integer_code(RunStatus status, string code)
    {
        var (store, root, _) = NewStore();
        store.StartRun("e", "r", [], []);
        store.EndRun(status, 1);
        Assert.Equal(code, Scalar(Yaml(Path.Combine(store.RunPath!, "meta.yaml")), "status").Value);
    }

    [Fact]
    public void Metrics_are_lines_of_timestamp_value_step_and_slashes_make_folders()
    {
        var (store, _, _) = NewStore();
        store.StartRun("e", "r", [], []);
        store.LogMetrics(10, 1_700_000_000_001, [("D/latent_real", 0.6931471805599453), ("G/lambda_ds", 1e-5), ("s_per_iter", 2)]);
        store.LogMetrics(20, 1_700_000_000_002, [("D/latent_real", double.NaN), ("G/lambda_ds", 0.5), ("s_per_iter", 1.5)]);

        string dReal = Path.Combine(store.RunPath!, "metrics", "D", "latent_real");
        Assert.Equal("1700000000001 0.6931471805599453 10\n1700000000002 nan 20\n", File.ReadAllText(dReal));
        var line = new Regex(@"^\d+ (-?\d+(\.\d+)?([eE][+-]?\d+)?|nan|inf|-inf) \d+$");
        foreach (var file in Directory.EnumerateFiles(Path.Combine(store.RunPath!, "metrics"), "*", SearchOption.AllDirectories))
            Assert.All(File.ReadAllText(file).Split('\n')[..^1], l => Assert.Matches(line, l));
        Assert.Equal("1700000000001 1E-05 10\n1700000000002 0.5 20\n", File.ReadAllText(Path.Combine(store.RunPath!, "metrics", "G", "lambda_ds")));
    }

    [Fact]
    public void Names_that_are_not_valid_for_mlflow_or_escape_the_run_are_not_written()
    {
        var (store, root, log) = NewStore();
        store.StartRun("e", "r", [("../../escape", "x"), ("ok/param", "1")], []);
        foreach (var bad in new[] { "../up", "/abs", "a//b", "a/./b", "a/", "bad:colon", "", new string('k', 251) })
            store.LogMetrics(1, 1, [(bad, 1.0)]);
        store.LogMetrics(1, 1, [("fine name-1.x/y", 1.0)]);

        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(store.RunPath!, f)).ToList();
        Assert.Contains(Path.Combine("params", "ok", "param"), files);
        Assert.Contains(Path.Combine("metrics", "fine name-1.x", "y"), files);
        Assert.DoesNotContain(files, f => f.Contains("escape") || f.Contains("up") || f.Contains("abs") || f.Contains("colon"));
        Assert.False(File.Exists(Path.Combine(root, "..", "escape")));
        Assert.Equal(9, log.Count("not valid for MLflow"));
    }

    [Fact]
    public void An_experiment_is_found_by_name_and_default_is_created_once()
    {
        string root = Path.Combine(TrackingTemp.Dir(), "mlruns");
        var a = new MlflowFileStore(root, null, _ => { });
        var b = new MlflowFileStore(root, null, _ => { });
        string id1 = a.GetOrCreateExperiment("ablation");
        string id2 = b.GetOrCreateExperiment("ablation");
        string other = b.GetOrCreateExperiment("other");
        Assert.Equal(id1, id2);
        Assert.NotEqual(id1, other);
        Assert.Equal("0", a.GetOrCreateExperiment("Default"));
        Assert.Equal(3, Directory.GetDirectories(root).Length);
    }

    [Fact]
    public void Artifacts_are_copied_under_their_folder()
    {
        var (store, _, log) = NewStore();
        string src = Path.Combine(TrackingTemp.Dir(), "000010_reference.png");
        File.WriteAllBytes(src, [9, 8, 7]);
        store.StartRun("e", "r", [], []);
        store.LogArtifact(src, "samples");
        store.LogArtifact(src, "");
        store.LogArtifact(src, "../outside");
        store.LogArtifact(Path.Combine(TrackingTemp.Dir(), "missing.png"), "");
        Assert.Equal([9, 8, 7], File.ReadAllBytes(Path.Combine(store.RunPath!, "artifacts", "samples", "000010_reference.png")));
        Assert.True(File.Exists(Path.Combine(store.RunPath!, "artifacts", "000010_reference.png")));
        Assert.False(Directory.Exists(Path.Combine(store.RunPath!, "outside")));
        Assert.Equal(2, log.All.Count);
    }

    [Fact]
    public void A_resumed_training_run_continues_the_same_mlflow_run()
    {
        string runDir = TrackingTemp.Dir();
        var (first, root, _) = NewStore(runDir);
        first.StartRun("e", "r", [("train.total_iters", "4"), ("seed", "1")], []);
        for (long s = 1; s <= 3; s++) first.LogMetrics(s, 100 + s, [("loss", s)]);
        first.EndRun(RunStatus.Killed, 200);

        var log = new Messages();
        var second = new MlflowFileStore(root, runDir, log.Add, user: "tester");
        second.StartRun("e", "r", [("train.total_iters", "8"), ("seed", "1"), ("new.key", "x")], [("resumed_from_step", "2")]);
        Assert.Equal(first.RunPath, second.RunPath);
        Assert.Equal("1", Scalar(Yaml(Path.Combine(second.RunPath!, "meta.yaml")), "status").Value);
        second.LogMetrics(3, 300, [("loss", 30)]);     // the checkpoint was at 2: step 3 is logged again
        second.EndRun(RunStatus.Finished, 400);

        Assert.Equal("101 1 1\n102 2 2\n300 30 3\n", File.ReadAllText(Path.Combine(second.RunPath!, "metrics", "loss")));
        Assert.Equal("4", File.ReadAllText(Path.Combine(second.RunPath!, "params", "train.total_iters")));   // write-once
        Assert.Equal("x", File.ReadAllText(Path.Combine(second.RunPath!, "params", "new.key")));
        Assert.Equal(1, log.Count("write-once"));
        Assert.Single(Directory.GetDirectories(Path.Combine(root, first.ExperimentId!)));
    }

    [Fact]
    public void Artifact_uris_can_be_rewritten_after_the_folder_moved()
    {
        var (store, root, _) = NewStore();
        store.StartRun("e", "r", [], []);
        store.EndRun(RunStatus.Finished, 1);
        string moved = Path.Combine(TrackingTemp.Dir(), "elsewhere");
        Directory.Move(root, moved);

        Assert.Equal(3, MlflowFileStore.RewriteArtifactUris(moved));   // Default, the experiment and the run
        string expUri = new Uri(Path.Combine(moved, store.ExperimentId!)).AbsoluteUri;
        Assert.Equal(expUri, Scalar(Yaml(Path.Combine(moved, store.ExperimentId!, "meta.yaml")), "artifact_location").Value);
        Assert.Equal(expUri + "/" + store.RunId + "/artifacts", Scalar(Yaml(Path.Combine(moved, store.ExperimentId!, store.RunId!, "meta.yaml")), "artifact_uri").Value);
        Assert.Equal(0, MlflowFileStore.RewriteArtifactUris(moved));
    }

    [Theory]
    [InlineData("file:///tmp/x/mlruns", "/tmp/x/mlruns")]
    [InlineData("/tmp/y/mlruns", "/tmp/y/mlruns")]
    public void Root_comes_from_the_tracking_uri(string uri, string expected) =>
        Assert.Equal(expected, MlflowFileStore.RootFromUri(uri));

    [Fact]
    public void Without_a_uri_the_root_is_mlruns_in_the_current_directory() =>
        Assert.Equal(Path.GetFullPath("mlruns"), MlflowFileStore.RootFromUri(null));
}
