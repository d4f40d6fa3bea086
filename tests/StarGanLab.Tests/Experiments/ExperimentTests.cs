using System.Text.Json;
using StarGanLab.Config;
using StarGanLab.Data;
using StarGanLab.Experiments;
using StarGanLab.Tests.Cli;
using StarGanLab.Tests.Training;
using Xunit;

namespace StarGanLab.Tests.Experiments;

/// <summary>Experiment.Run is what `stargan train` runs: the same config gives the same run folder, losses, evaluation,
/// report and tracked run whether it comes from the CLI or from a script calling the library.</summary>
[Collection(Native.TorchThreadsCollection.Name)]   // trains here with 1 thread
public class ExperimentTests : TorchTest
{
    [Fact]
    public void A_script_calling_Experiment_Run_gets_what_stargan_train_gets()
    {
        string root = TinyRuns.TempRoot();
        var tiny = TinyRuns.Config(Path.Combine(root, "unused"), totalIters: 2, saveEvery: 2);
        var cfg = tiny with
        {
            Threads = 1,
            Train = tiny.Train with { SampleEvery = 2, EvalEvery = 1000 },
            Metrics = tiny.Metrics with { Backbone = "none", GroundTruth = true, EvalAtEnd = true },
        };
        string configFile = Path.Combine(root, "tiny.yaml");
        File.WriteAllText(configFile, ConfigWriter.ToYaml(cfg));
        string[] Overrides(string side) => [$"run.root={Path.Combine(root, side)}", "run.name=same"];

        var (exit, output) = StarganProcess.Run(root, new Dictionary<string, string> { ["MLFLOW_TRACKING_URI"] = Path.Combine(root, "mlruns-cli") },
            ["train", configFile, .. Overrides("cli").SelectMany(o => new[] { "--set", o })]);
        Assert.True(exit == 0, output);

        var result = Experiment.Run(configFile, Overrides("lib"), new ExperimentOptions
        {
            Log = _ => { },
            Environment = key => key == "MLFLOW_TRACKING_URI" ? Path.Combine(root, "mlruns-lib") : null,
        });
        Assert.True(result.Finished);
        Assert.Equal(Path.Combine(root, "lib", "same"), result.RunDirectory);

        string cli = Path.Combine(root, "cli", "same"), lib = result.RunDirectory;
        Assert.Equal(Files(cli), Files(lib));
        Assert.StartsWith($"# overrides: --set run.root={Path.Combine(root, "lib")} --set run.name=same\n", File.ReadAllText(Path.Combine(lib, "config.yaml")));
        foreach (var expected in new[] { "config.yaml", "losses.jsonl", "metrics.jsonl", "report.html", "checkpoints/000002_nets_ema.sgl" })
            Assert.Contains(expected, Files(lib));
        Assert.Equal(Values(Path.Combine(cli, "losses.jsonl")), Values(Path.Combine(lib, "losses.jsonl")));
        Assert.Equal(Values(Path.Combine(cli, "metrics.jsonl")), Values(Path.Combine(lib, "metrics.jsonl")));
        // the tracked runs hold the same metric series and the same artifacts
        Assert.Equal(Tracked(Path.Combine(root, "mlruns-cli")), Tracked(Path.Combine(root, "mlruns-lib")));
        Assert.NotEmpty(Tracked(Path.Combine(root, "mlruns-lib")));
    }

    [Fact]
    public void A_start_that_fails_leaves_no_folder_behind_and_puts_back_the_run_it_would_replace()
    {
        string root = TinyRuns.TempRoot();
        var good = TinyRuns.Config(root, totalIters: 1, saveEvery: 1) with { Threads = 1, Run = new RunConfig(Root: root, Name: "r") };
        var missingData = good with { Data = good.Data with { Source = "folder", Root = Path.Combine(root, "no-such-images") } };
        var quiet = new ExperimentOptions { Log = _ => { } };

        Assert.Throws<DataException>(() => Experiment.Run(missingData, quiet));
        Assert.False(Directory.Exists(Path.Combine(root, "r")), "the failed start left its folder, which blocks the next try");

        Assert.True(Experiment.Run(good, quiet).Finished);   // the next try is not blocked
        var before = Directory.GetFiles(Path.Combine(root, "r"), "*", SearchOption.AllDirectories).Order().ToList();
        Assert.Throws<DataException>(() => Experiment.Run(missingData, quiet with { Overwrite = true }));
        Assert.Equal(before, Directory.GetFiles(Path.Combine(root, "r"), "*", SearchOption.AllDirectories).Order().ToList());
        Assert.Empty(Directory.GetDirectories(root, "r.replaced-*"));
    }

    /// <summary>The run folder's files, relative, without the per-process parts (tracking's spool and lock).</summary>
    static List<string> Files(string dir) =>
        Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(dir, f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("tracking/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();

    /// <summary>Every numeric value of a .jsonl file but the wall-clock ones, rounded to 1e-6 of scale: the two runs
    /// compute the same steps with the same kernels and thread count, so only printing could differ.</summary>
    static List<string> Values(string jsonl) =>
        File.ReadLines(jsonl).Where(l => l.Length > 0).SelectMany(l =>
            JsonDocument.Parse(l).RootElement.EnumerateObject()
                .Where(p => p.Value.ValueKind == JsonValueKind.Number && p.Name is not ("s_per_iter" or "data_wait_s_per_iter") && !p.Name.EndsWith("seconds", StringComparison.Ordinal))
                .Select(p => $"{p.Name}={p.Value.GetDouble():G6}")).ToList();

    /// <summary>The file store's metric names and values (without wall-clock ones) and artifact paths, per run.</summary>
    static List<string> Tracked(string store) =>
        Directory.EnumerateFiles(store, "*", SearchOption.AllDirectories)
            .Select(f => (Rel: Path.GetRelativePath(store, f).Replace('\\', '/'), Full: f))
            .Select(f => (Parts: f.Rel.Split('/'), f.Full))
            .Where(f => f.Parts.Length >= 4 && f.Parts[2] is "metrics" or "artifacts" && !f.Parts[^1].Contains("per_iter"))
            .SelectMany(f => f.Parts[2] == "artifacts"
                ? [$"artifact {string.Join('/', f.Parts[3..])}"]
                : File.ReadLines(f.Full).Select(l => l.Split(' ')).Select(p => $"{string.Join('/', f.Parts[3..])} step {p[2]} = {double.Parse(p[1], System.Globalization.CultureInfo.InvariantCulture):G6}"))
            .Order(StringComparer.Ordinal).ToList();
}
