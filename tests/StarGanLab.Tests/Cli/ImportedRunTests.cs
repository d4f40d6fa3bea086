using StarGanLab.Checkpoints;
using StarGanLab.Config;
using StarGanLab.Networks;
using StarGanLab.Reports;
using Xunit;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Cli;

/// <summary>An imported official checkpoint is a run like any other: every verb that uses a trained model works on it
/// without training data, and the verb that reads data (eval) takes it with --data.</summary>
public class ImportedRunTests : TorchTest
{
    static (int Exit, string Output) Stargan(string cwd, params string[] args) => StarganProcess.Run(cwd, args);

    /// <summary>A 16 px, 2-domain nets_ema file in the official layout ({generator, mapping_network, style_encoder}),
    /// as `bash download.sh pretrained-network-*` gives, with random weights.</summary>
    static string OfficialNetsEma(string dir)
    {
        var model = new ModelConfig(ImgSize: 16, NumDomains: 2, LatentDim: 8, StyleDim: 16, WidthConst: 128, MaxConvDim: 16, MappingHidden: 32);
        using var nets = StarGanNets.Create(model, withDiscriminator: false);
        string file = Path.Combine(dir, "100000_nets_ema.ckpt");
        OfficialCheckpoint.Write(file, nets.Modules.ToDictionary(m => m.Name, m => StateDicts.Of(m.Module)));
        return file;
    }

    [Fact]
    public void Every_verb_works_on_an_imported_official_checkpoint()
    {
        string root = Directory.CreateTempSubdirectory("imported").FullName;
        string run = Path.Combine(root, "official");
        string assets = Path.Combine(root, "assets");

        var (exit, output) = Stargan(root, "import", "--official", OfficialNetsEma(root), "--out", run);
        Assert.True(exit == 0, output);
        (exit, output) = Stargan(root, "data", "synth", "--out", assets, "--per-domain", "2", "--domains", "2", "--img-size", "16", "--split", "val");
        Assert.True(exit == 0, output);
        string cat = Directory.GetFiles(Path.Combine(assets, "cat"), "*.png").Order().First();
        string dog = Directory.GetFiles(Path.Combine(assets, "dog"), "*.png").Order().First();

        (exit, output) = Stargan(root, "translate", "--run", run, "--src", cat, "--ref", dog, "--domain", "1", "--out", Path.Combine(root, "ref.png"));
        Assert.True(exit == 0, output);
        (exit, output) = Stargan(root, "translate", "--run", run, "--src", cat, "--domain", "1", "--seed", "3", "--out", Path.Combine(root, "latent.png"));
        Assert.True(exit == 0, output);
        Assert.True(File.Exists(Path.Combine(root, "ref.png")) && File.Exists(Path.Combine(root, "latent.png")));

        (exit, output) = Stargan(root, "sample", "--run", run, "--src", assets, "--ref", assets, "--outs-per-domain", "2", "--video", "none");
        Assert.True(exit == 0, output);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(run, "results"), "*.png"));

        // eval reads real images: without data it says how to give them, with --data it evaluates
        (exit, output) = Stargan(root, "eval", "--run", run, "--set", "metrics.num_outs_per_domain=2", "--set", "metrics.modes=latent");
        Assert.NotEqual(0, exit);
        Assert.Contains("--data DIR", output);
        (exit, output) = Stargan(root, "eval", "--run", run, "--data", assets, "--set", "metrics.num_outs_per_domain=2", "--set", "metrics.modes=latent");
        Assert.True(exit == 0, output);
        Assert.True(File.Exists(Path.Combine(run, "metrics.jsonl")), output);

        (exit, output) = Stargan(root, "report", "--run", run);
        Assert.True(exit == 0, output);
        Assert.True(File.Exists(Path.Combine(run, "report.html")));
        Assert.NotNull(RunResults.Load(run).Metrics);   // what compare.fsx and the compare_runs notebook read

        string back = Path.Combine(root, "back.ckpt");
        (exit, output) = Stargan(root, "export", "--run", run, "--out", back);
        Assert.True(exit == 0, output);
        var written = File.GetLastWriteTimeUtc(back);
        (exit, output) = Stargan(root, "export", "--run", run, "--out", back);
        Assert.NotEqual(0, exit);
        Assert.Contains("--force", output);
        Assert.Equal(written, File.GetLastWriteTimeUtc(back));
        (exit, output) = Stargan(root, "export", "--run", run, "--out", back, "--force");
        Assert.True(exit == 0, output);
    }
}
