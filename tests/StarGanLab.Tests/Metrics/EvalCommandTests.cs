using StarGanLab.Tests.Cli;
using Xunit;

namespace StarGanLab.Tests.Metrics;

public class EvalCommandTests
{
    [Fact]
    public void Eval_of_a_folder_without_a_run_is_one_sentence_and_exit_code_2()
    {
        string dir = Directory.CreateTempSubdirectory("stargan-eval").FullName;
        var (exit, output) = StarganProcess.Run(Fixtures.RepoRoot, "eval", "--run", dir, "--mode", "latent");
        Assert.Equal(2, exit);
        Assert.Contains(dir, output);
        Assert.DoesNotContain("   at ", output);   // no stack trace
    }
}
