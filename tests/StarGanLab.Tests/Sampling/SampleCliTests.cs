using StarGanLab.Tests.Cli;
using Xunit;

namespace StarGanLab.Tests.Sampling;

public class SampleCliTests(SamplingRun run) : IClassFixture<SamplingRun>
{
    [Fact]
    public void Sample_writes_the_grids_named_by_psi_into_the_out_folder()
    {
        string outDir = Path.Combine(run.Root, "results-cli");
        var (exit, output) = StarganProcess.Run(Fixtures.RepoRoot, "sample", "--run", run.RunDir, "--src", run.SrcDir, "--ref", run.RefDir,
            "--out", outDir, "--per-domain", "1", "--outs-per-domain", "2", "--psi", "0.7", "--video", "none");
        Assert.True(exit == 0, output);
        Assert.Contains("the run's domains are cat, dog, wild", output);
        Assert.Equal(["latent_psi_0.7.png", "reference.png"],
                     Directory.GetFiles(outDir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Sample_with_a_missing_folder_names_it()
    {
        string missing = Path.Combine(run.Root, "no-such-src");
        var (exit, output) = StarganProcess.Run(Fixtures.RepoRoot, "sample", "--run", run.RunDir, "--src", missing, "--ref", run.RefDir, "--video", "none");
        Assert.Equal(2, exit);
        Assert.Contains(missing, output);
    }
}
