using System.Diagnostics;
using Xunit;

namespace StarGanLab.Tests.Cli;

/// <summary>The stargan command as a user runs it: exit codes and the sentences users see.</summary>
public class CliTests
{
    static (int Exit, string Output) Stargan(params string[] args) => StarganProcess.Run(Fixtures.RepoRoot, args);

    [ParityFact("basic")]
    public void Parity_command_prints_every_check_and_all_pass()
    {
        var (exit, output) = Stargan("parity", "--fixture", Fixtures.Parity("basic"));
        Assert.True(exit == 0, output);
        Assert.Contains("all 41 checks PASS", output);
        Assert.Contains("x_fake_latent", output);
        Assert.Contains("G/latent_cyc", output);
    }

    [Fact]
    public void Large_batch_convolutions_do_not_flood_the_log_with_NNPACK_warnings()
    {
        // Batches of 16 and more make libtorch try NNPACK on every convolution; on CPUs it does not support, it warned
        // each time (2,700 lines in a minute of quickstart). At most the one line of the startup probe may remain.
        var (exit, output) = Stargan("bench", "configs/quickstart.yaml", "--set", "train.batch_size=16", "--set", "model.img_size=16",
                                     "--set", "model.width_const=128", "--set", "model.max_conv_dim=16", "--iters", "1", "--warmup", "0", "--data-batches", "0");
        Assert.True(exit == 0, output);
        Assert.InRange(output.Split('\n').Count(l => l.Contains("NNPACK")), 0, 1);
    }

    [Fact]
    public void Bench_compare_exits_3_on_a_regression_and_2_on_a_different_config_before_benchmarking()
    {
        string[] tiny = ["bench", "configs/quickstart.yaml", "--set", "model.img_size=16", "--set", "model.width_const=128", "--set", "model.max_conv_dim=16",
                         "--set", "threads=1", "--iters", "1", "--warmup", "0", "--data-batches", "0"];
        var saved = Path.Combine(Directory.CreateTempSubdirectory("bench-cli-").FullName, "saved.json");
        try
        {
            var (exit, output) = Stargan([.. tiny, "--json"]);
            Assert.True(exit == 0, output);
            File.WriteAllText(saved, output.Split('\n').Single(l => l.StartsWith("{\"train\"")));
            // The saved sitting made 1000x faster: the same configuration now is far beyond any noise margin.
            var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(saved))!;
            json["train"]!["sec_per_iter_median"] = json["train"]!["sec_per_iter_median"]!.GetValue<double>() / 1000;
            File.WriteAllText(saved, json.ToJsonString());
            (exit, output) = Stargan([.. tiny, "--compare", saved]);
            Assert.True(exit == 3, output);
            Assert.Contains("regression:", output);
            (exit, output) = Stargan([.. tiny, "--set", "model.img_size=32", "--compare", saved]);
            Assert.True(exit == 2, output);
            Assert.Contains("img_size is 16 there and 32 here", output);
            Assert.DoesNotContain("iteration 0", output);   // refused before any benchmark iteration ran
        }
        finally { Directory.Delete(Path.GetDirectoryName(saved)!, recursive: true); }
    }

    [Fact]
    public void Bench_profile_attributes_convolution_work_to_each_phase()
    {
        var (refused, said) = Stargan("bench", "configs/quickstart.yaml", "--peak-gflops", "159", "--iters", "1", "--data-batches", "0");
        Assert.True(refused == 2, said);
        Assert.Contains("--peak-gflops 159 needs --profile", said);
        var (exit, output) = Stargan("bench", "configs/quickstart.yaml", "--set", "model.img_size=16", "--set", "model.width_const=128",
            "--set", "model.max_conv_dim=16", "--set", "threads=1", "--iters", "1", "--warmup", "0", "--data-batches", "0", "--profile", "--json");
        Assert.True(exit == 0, output);
        var json = System.Text.Json.Nodes.JsonNode.Parse(output.Split('\n').Single(l => l.StartsWith("{\"train\"")))!;
        var phases = json["profile"]!["phases"]!.AsArray().ToDictionary(p => p!["phase"]!.GetValue<string>(), p => p!);
        Assert.Equal(["d_latent", "d_ref", "g_latent", "g_ref", "ema", "iteration"], phases.Keys);
        double G(string phase, string key) => phases[phase]![key]!.GetValue<double>();
        foreach (var phase in new[] { "d_latent", "d_ref", "g_latent", "g_ref" })
        {
            // Every training phase runs convolutions forward and differentiates them for its weights.
            Assert.True(G(phase, "conv_gflop_forward") > 0 && G(phase, "conv_gflop_backward_weights") > 0, phases[phase]!.ToJsonString());
            Assert.True(G(phase, "conv_seconds") > 0, phases[phase]!.ToJsonString());
        }
        Assert.Equal(0, G("ema", "conv_gflop"));   // the EMA update convolves nothing: attribution by phase works
        Assert.Equal(new[] { "d_latent", "d_ref", "g_latent", "g_ref", "ema" }.Sum(p => G(p, "conv_gflop")), G("iteration", "conv_gflop"), 9);
        Assert.True(json["profile"]!["peak_gflops"]!.GetValue<double>() > 0);
    }

    [Fact]
    public void Doctor_prints_both_routes_for_every_case_and_a_correct_route()
    {
        var (exit, output) = Stargan("doctor", "configs/quickstart.yaml", "--set", "model.width_const=384");
        Assert.True(exit == 0, output);
        Assert.Contains("native fwd / bwd / 2nd", output);
        Assert.Contains("padded fwd / bwd / 2nd", output);
        Assert.Contains("12->24 k1 s1 p0", output);   // the first shortcut at dim_in 12: a shape the fault hits on Zen 5
        Assert.Contains("instance_norm", output);
        Assert.Contains(" correct", output);
        Assert.Matches(@"route:\s+(native|padded)", output);
    }

    [Fact]
    public void Doctor_with_a_bad_kernels_value_names_the_key_and_the_choices()
    {
        var (exit, output) = Stargan("doctor", "configs/quickstart.yaml", "--set", "kernels=fast");
        Assert.Equal(2, exit);
        Assert.Contains("kernels", output);
        Assert.Contains("auto, native, padded", output);
    }

    [Fact]
    public void Parity_on_a_folder_without_a_fixture_names_the_file_it_needs()
    {
        var (exit, output) = Stargan("parity", "--fixture", Path.GetTempPath());
        Assert.Equal(2, exit);
        Assert.Contains("config.json", output);
    }

    [Fact]
    public void A_misspelt_config_key_is_one_sentence_with_file_line_and_suggestion()
    {
        string dir = Directory.CreateTempSubdirectory("cli").FullName;
        string cfg = Path.Combine(dir, "bad.yaml");
        File.WriteAllText(cfg, "name: bad\ntrain:\n  batch_sise: 4\n");
        var (exit, output) = Stargan("train", cfg);
        Assert.Equal(2, exit);
        Assert.Contains("bad.yaml:3", output);
        Assert.Contains("batch_size", output);
        Assert.DoesNotContain("   at ", output);   // no stack trace
    }

    [Fact]
    public void Dry_run_prints_the_resolved_config_and_run_name_without_creating_a_run()
    {
        string root = Directory.CreateTempSubdirectory("cli").FullName;
        var (exit, output) = Stargan("train", "configs/quickstart.yaml", "--set", $"run.root={root}", "--set", "train.batch_size=4", "--dry-run");
        Assert.True(exit == 0, output);
        Assert.Contains("batch_size: 4", output);
        Assert.Matches(@"# run: .*/quickstart-[0-9a-f]{6}\n", output);   // a short name; the overrides are in the config
        Assert.Empty(Directory.EnumerateFileSystemEntries(root));
    }

    [ParityFact("hpf")]
    public void Parity_on_the_high_pass_fixture_checks_the_FAN_and_masks()
    {
        var (exit, output) = Stargan("parity", "--fixture", Fixtures.Parity("hpf"));
        Assert.True(exit == 0, output);
        Assert.Contains("fan_raw_heatmaps", output);
        Assert.Contains("masks1", output);
        Assert.Contains("generator (our masks)", output);
    }

    [Fact]
    public void Align_without_the_wing_file_names_it()
    {
        string dir = Directory.CreateTempSubdirectory("cli").FullName;
        string wing = Path.Combine(dir, "wing.ckpt");
        var (exit, output) = Stargan("align", "--in", dir, "--out", Path.Combine(dir, "out"), "--wing", wing, "--landmarks-mean", Path.Combine(dir, "m.npz"));
        Assert.Equal(2, exit);
        Assert.Contains(wing, output);
        Assert.Contains("wing.ckpt", output);
    }

    [Fact]
    public void Align_writes_one_aligned_png_per_input_image()
    {
        StarGanLab.Native.TorchRuntime.EnsureLoaded();
        string dir = Directory.CreateTempSubdirectory("cli").FullName;
        string inDir = Directory.CreateDirectory(Path.Combine(dir, "in")).FullName;
        string wing = Path.Combine(dir, "wing.ckpt"), mean = Path.Combine(dir, "mean.npz");
        Networks.FanSupport.WriteWing(wing);
        // a plausible mean face at 256 px: points spread over the centre
        Alignment.AlignmentTests.WriteNpz(mean, "mean.npy", Enumerable.Range(0, 196).Select(i => 80f + (i * 37 % 97)).ToArray());
        StarGanLab.Sampling.ImageGrid.Save(TorchSharp.torch.rand(1, 3, 40, 40) * 2 - 1, 1, Path.Combine(inDir, "face.png"));
        var (exit, output) = Stargan("align", "--in", inDir, "--out", Path.Combine(dir, "out"), "--wing", wing, "--landmarks-mean", mean, "--img-size", "64");
        Assert.True(exit == 0, output);
        using var png = SkiaSharp.SKBitmap.Decode(Path.Combine(dir, "out", "face.png"));
        Assert.Equal((64, 64), (png.Width, png.Height));
    }
}
