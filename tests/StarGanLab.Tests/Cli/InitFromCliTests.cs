using StarGanLab.Config;
using StarGanLab.Runs;
using StarGanLab.Tests.Runs;
using Xunit;

namespace StarGanLab.Tests.Cli;

/// <summary>`stargan train --init-from` as a user runs it: a fine-tune of the official release with one more domain,
/// and a resume that is refused another starting point.</summary>
public class InitFromCliTests : TorchTest
{
    static readonly string[] Tiny =
    [
        "--set", "model.img_size=16", "--set", "model.width_const=128", "--set", "model.max_conv_dim=16", "--set", "model.mapping_hidden=32",
        "--set", "model.latent_dim=8", "--set", "model.style_dim=16", "--set", "train.batch_size=2", "--set", "train.val_batch_size=3",
        "--set", "train.total_iters=1", "--set", "train.print_every=1", "--set", "threads=1",
    ];

    [Fact]
    public void Init_from_the_official_release_fine_tunes_with_a_new_domain_and_a_resume_cannot_change_it()
    {
        string root = Directory.CreateTempSubdirectory("init-from-cli").FullName;
        var twoDomains = new ModelConfig(ImgSize: 16, NumDomains: 2, LatentDim: 8, StyleDim: 16, WidthConst: 128, MaxConvDim: 16, MappingHidden: 32);
        string release = OfficialFiles.Write(Path.Combine(root, "100000_nets_ema.ckpt"), twoDomains, seed: 5, withDiscriminator: false, legacy: true);

        // Run from the temp folder, so the run's tracking (./mlruns) lands there and not in the repository.
        string config = Path.Combine(Fixtures.RepoRoot, "configs", "quickstart.yaml");
        var (exit, output) = StarganProcess.Run(root, ["train", config, "--init-from", release, "--set", $"run.root={root}", "--set", "run.name=ft", .. Tiny]);
        Assert.True(exit == 0, output);
        Assert.Contains("init_from", output);
        Assert.Contains("the checkpoint has 2 domains, the run 3", output);
        Assert.Contains("discriminator: not in", output);
        Assert.True(File.Exists(Path.Combine(root, "ft", InitReport.FileName)));

        (exit, output) = StarganProcess.Run(root, "train", "--resume", Path.Combine(root, "ft"), "--init-from", root, "--set", "train.total_iters=2");
        Assert.Equal(2, exit);
        Assert.Contains("a resume continues from the run's own checkpoint", output);
    }
}
