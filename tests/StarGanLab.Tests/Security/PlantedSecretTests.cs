using System.Text;
using StarGanLab.Config;
using StarGanLab.Data;
using StarGanLab.Runs;
using StarGanLab.Tracking;
using StarGanLab.Training;
using StarGanLab.Experiments.Hooks;
using Xunit;
using StarGanLab.Experiments;

namespace StarGanLab.Tests.Security;

/// <summary>
/// Secrets: a value planted in the environment and referenced from a config as <c>${env:NAME}</c>, and MLflow
/// credentials, must not appear (plain or base64) in any file of the run directory or mlruns/, in any log line,
/// tracking param or tag, or in the message of an error that involves them.
/// </summary>
[Collection(SecurityCollection.Name)]
public sealed class PlantedSecretTests : TorchTest, IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("sgl-secret-").FullName;
    readonly string variable = "SGL_PLANTED_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    readonly string secret = "planted-" + Guid.NewGuid().ToString("N");
    readonly string password = "pw-" + Guid.NewGuid().ToString("N");
    readonly string token = "tok-" + Guid.NewGuid().ToString("N");
    readonly List<string> log = [];

    public PlantedSecretTests() => Environment.SetEnvironmentVariable(variable, secret);   // unique name: no other test sees it

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(variable, null);
        Directory.Delete(root, true);
    }

    string Reference => "${env:" + variable + "}";

    string TinyYaml(string extra = "") =>
        $"""
        name: tiny
        device: cpu
        preset: "{Reference}"
        model: {"{"}img_size: 16, num_domains: 3, latent_dim: 8, style_dim: 16, width_const: 128, max_conv_dim: 16, mapping_hidden: 32{"}"}
        data:
          source: synthetic
          synthetic_domains: 3
          synthetic_per_domain: 20
          workers: 1
          prefetch: 2
          val_root: "{Reference}"
        loss: {"{"}ds_iter: 10{"}"}
        train: {"{"}batch_size: 2, val_batch_size: 3, total_iters: 1, print_every: 1, save_every: 1{"}"}
        run: {"{"}root: "{Path.Combine(root, "runs")}"{"}"}
        fan: {"{"}wing_path: "{Reference}"{"}"}
        {extra}
        """;

    string[] Forbidden()
    {
        string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
        return [secret, B64(secret), B64(secret).TrimEnd('='), password, B64(password).TrimEnd('='), token, B64(token).TrimEnd('='),
                B64("alice:" + password).TrimEnd('=')];
    }

    void AssertClean(string what, string text)
    {
        foreach (var f in Forbidden())
            Assert.False(text.Contains(f, StringComparison.Ordinal), $"{what} contains a planted secret ({f[..6]}…)");
    }

    [Fact]
    public void A_tiny_run_with_planted_secrets_writes_them_nowhere()
    {
        string configFile = Path.Combine(root, "secret.yaml");
        File.WriteAllText(configFile, TinyYaml());
        string mlruns = Path.Combine(root, "mlruns");
        var env = new Dictionary<string, string?>
        {
            ["MLFLOW_TRACKING_URI"] = mlruns, ["MLFLOW_TRACKING_USERNAME"] = "alice",
            ["MLFLOW_TRACKING_PASSWORD"] = password, ["MLFLOW_TRACKING_TOKEN"] = token,
        };

        var cfg = ConfigLoader.Load(configFile);
        Assert.Equal(secret, cfg.Preset);                       // the code that uses the value gets it
        Assert.Equal(secret, cfg.Data.ValRoot);
        Assert.Equal(3, cfg.Secrets.Values.Count);
        AssertClean("cfg.Secrets.ToString()", cfg.Secrets.ToString());

        void Run(TrainingSession session)
        {
            using var tracker = TrackingFactory.FromEnvironment(session.Run.Path, log.Add, env.GetValueOrDefault);
            // No SampleHook: sample grids are pixels only, and on a loaded 2-core machine they triple the run time.
            session.Train([new LossLogHook(1), new CheckpointHook(1, 0),
                           new TrackingHook(tracker, 1, source: "stargan train secret.yaml", flushTimeout: TimeSpan.FromSeconds(2)),
                           new LogEveryStep()]);
        }
        string runPath;
        using (var s = TrainingSession.Start(cfg, RunDirectory.Create(cfg.Run.Root, "secret-run", false, log.Add), log.Add))
        {
            runPath = s.Run.Path;
            Run(s);
        }
        // Resume re-reads config.yaml, which holds only the reference, and resolves it again.
        using (var s = TrainingSession.Resume(RunDirectory.Open(runPath), ["train.total_iters=2"], log.Add))
        {
            Assert.Equal(secret, s.Config.Preset);
            Run(s);
        }
        log.Add(ConfigWriter.ToYaml(cfg));                      // what --dry-run prints
        log.AddRange(ConfigWriter.Flatten(cfg).Select(kv => $"{kv.Key}={kv.Value}"));

        // The mechanism at work, not just silence: the references are where the values would have been.
        string yaml = File.ReadAllText(Path.Combine(runPath, RunDirectory.ConfigFileName));
        Assert.Contains($"preset: \"{Reference}\"", yaml);
        Assert.Contains($"root: \"{Reference}\"", yaml);
        var files = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(f => f != configFile).ToList();
        Assert.Contains(files, f => f.StartsWith(mlruns) && f.EndsWith(Path.Combine("params", "data.val_root")) && File.ReadAllText(f) == Reference);
        Assert.Contains(files, f => f.StartsWith(mlruns) && f.EndsWith(Path.Combine("tags", TrackingTags.Preset)) && File.ReadAllText(f) == Reference);
        Assert.Contains(files, f => f.EndsWith(".sgl"));
        Assert.Contains(files, f => f.EndsWith("losses.jsonl"));

        foreach (var f in files)
        {
            AssertClean(f, f);
            AssertClean(f, Encoding.UTF8.GetString(File.ReadAllBytes(f)));
            AssertClean(f + " (latin1)", Encoding.Latin1.GetString(File.ReadAllBytes(f)));
        }
        foreach (var d in Directory.EnumerateDirectories(root, "*", SearchOption.AllDirectories)) AssertClean(d, d);
        Assert.NotEmpty(log);
        foreach (var line in log) AssertClean("log line", line);
    }

    /// <summary>Logs what a careless hook might: the config's values, through the session's log.</summary>
    sealed class LogEveryStep : ITrainHook
    {
        public void AfterStep(TrainContext c, StepLosses l) =>
            c.Log($"step {c.Step}: preset {c.Config.Preset}, data.val_root {c.Config.Data.ValRoot}, fan.wing_path {c.Config.Fan.WingPath}");
    }

    [Fact]
    public void Errors_about_a_secret_value_show_the_reference()
    {
        // A validation error on a referenced value.
        var ce = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(TinyYaml().Replace("device: cpu", $"device: \"{Reference}\""), "t.yaml"));
        Assert.Contains($"device: expected auto, cpu, cuda or cuda:N, got {Reference}", ce.Message);
        AssertClean("ConfigException", ce.Message);

        // A missing data folder whose path is the secret: the session's error names the reference.
        Environment.SetEnvironmentVariable(variable, Path.Combine(root, "no-such-folder-" + secret));
        try
        {
            var cfg = ConfigLoader.Parse(TinyYaml().Replace("source: synthetic", "source: folder").Replace("val_root:", "root:"), "t.yaml");
            var e = Assert.Throws<DataException>(() => TrainingSession.Start(cfg, RunDirectory.Create(cfg.Run.Root, "bad", false), log.Add));
            Assert.Contains(Reference, e.Message);
            AssertClean("DataException", e.ToString());
            AssertClean("config.yaml", File.ReadAllText(Path.Combine(cfg.Run.Root, "bad", RunDirectory.ConfigFileName)));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, secret);
        }
    }

    [Theory]
    [InlineData("name")]
    [InlineData("run.name")]
    [InlineData("run.root")]
    public void References_are_refused_in_keys_that_name_folders(string key)
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse(TinyYaml(), "t.yaml", [$"{key}={Reference}"]));
        Assert.Contains($"{key}: environment references ('{Reference}') are not allowed here", e.Message);
    }

    [Fact]
    public void An_unset_variable_is_an_error_naming_the_reference()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("name: t\ndata: {source: synthetic, synthetic_domains: 2}\npreset: ${env:SGL_SURELY_UNSET_VARIABLE}\n", "t.yaml"));
        Assert.Contains("preset: '${env:SGL_SURELY_UNSET_VARIABLE}': environment variable SGL_SURELY_UNSET_VARIABLE is not set", e.Message);
    }

    [Fact]
    public void The_written_config_reads_back_to_an_equal_record_and_a_changed_value_is_no_longer_secret()
    {
        var options = new ConfigLoadOptions(Environment: n => n == variable ? secret : null);
        var cfg = ConfigLoader.Parse(TinyYaml(), "t.yaml", options: options);
        var again = ConfigLoader.Parse(ConfigWriter.ToYaml(cfg), "t.yaml", options: options);
        Assert.Equal(cfg, again);
        var changed = cfg with { Preset = "public" };
        Assert.Contains("preset: \"public\"", ConfigWriter.ToYaml(changed));
        Assert.Contains(("data.val_root", Reference), ConfigWriter.Flatten(changed));
    }
}
