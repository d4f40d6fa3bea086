using StarGanLab.Config;
using StarGanLab.Tests.Cli;
using StarGanLab.Tests.Training;
using Xunit;
using static StarGanLab.Tests.Config.ConfigTestSupport;

namespace StarGanLab.Tests.Config;

/// <summary>Sizes no machine can train (issue 17, case 4) are config errors naming the key, not an overflow, an
/// allocator crash or a queue of two billion slots.</summary>
public class AbsurdSizeTests
{
    [Theory]
    [InlineData("train.batch_size=100000000", "train.batch_size", "expected at most 65536, got 100000000")]
    [InlineData("model.style_dim=2000000000", "model.style_dim", "expected at most 65536, got 2000000000")]
    [InlineData("data.prefetch=2000000000", "data.prefetch", "expected at most 256, got 2000000000")]
    [InlineData("data.workers=100000", "data.workers", "expected at most 256, got 100000")]
    [InlineData("model.num_domains=100000", "model.num_domains", "expected at most 1024, got 100000")]
    [InlineData("model.width_const=1073741824", "model.width_const", "(the first layer's channels, 4194304) at most 65536")]
    public void An_absurd_size_is_a_config_error_naming_the_key(string set, string key, string expected)
    {
        var problems = Fails(Valid + "model: {num_domains: 2, img_size: 256}\n", [set]).Problems;
        Assert.Contains(problems, p => p.KeyPath == key && p.Message.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Train_with_an_absurd_batch_size_exits_2_with_one_line_and_writes_no_run_folder()
    {
        string root = TinyRuns.TempRoot();
        string yaml = Path.Combine(root, "tiny.yaml");
        File.WriteAllText(yaml, ConfigWriter.ToYaml(TinyRuns.Config(Path.Combine(root, "runs"), totalIters: 1)));
        var (exit, output) = StarganProcess.Run(root, "train", yaml, "--set", "train.batch_size=100000000");
        Assert.Equal(2, exit);
        Assert.Contains("train.batch_size", output);
        Assert.Contains("expected at most 65536", output);
        Assert.DoesNotContain("   at ", output);
        Assert.False(Directory.Exists(Path.Combine(root, "runs")));
    }

    [Fact]
    public void Dry_run_shows_the_memory_estimate()
    {
        string root = TinyRuns.TempRoot();
        string yaml = Path.Combine(root, "tiny.yaml");
        File.WriteAllText(yaml, ConfigWriter.ToYaml(TinyRuns.Config(Path.Combine(root, "runs"), totalIters: 1)));
        var (exit, output) = StarganProcess.Run(root, "train", yaml, "--dry-run");
        Assert.True(exit == 0, output);
        Assert.Matches(@"# memory on the CPU: about \d+ MiB \(weights, gradients, Adam moments and EMA copies \d+ MiB, activations of one step \d+ MiB, data queue \d+ MiB, runtime 186 MiB\); this machine has \d+\.\d GiB", output);
    }
}
