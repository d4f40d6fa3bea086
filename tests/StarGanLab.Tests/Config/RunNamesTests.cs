using Xunit;
using StarGanLab.Config;

namespace StarGanLab.Tests.Config;

public class RunNamesTests
{
    static readonly ExperimentConfig Quickstart = new("quickstart");

    [Fact]
    public void Derive_appends_override_leaves_and_values()
    {
        Assert.Equal("quickstart-lambda_cyc=0-seed1", RunNames.Derive(Quickstart, ["loss.lambda_cyc=0", "seed=1"]));
        Assert.Equal("quickstart", RunNames.Derive(Quickstart, []));
    }

    [Fact]
    public void Derive_keeps_the_last_value_per_key_and_skips_run_keys()
    {
        Assert.Equal("quickstart-batch_size=2", RunNames.Derive(Quickstart, ["train.batch_size=4", "run.root=/tmp", "train.batch_size=2"]));
    }

    [Fact]
    public void Derive_sanitises_unsafe_values()
    {
        var name = RunNames.Derive(Quickstart, ["data.root=../../etc/pass wd", "run.name="]);
        Assert.Equal("quickstart-root=._._etc_pass_wd", name);
        Assert.True(RunNames.TryValidate(name, out _));
    }

    [Fact]
    public void Derive_limits_length_and_keeps_distinct_names_distinct()
    {
        var a = RunNames.Derive(Quickstart, [$"data.root={new string('a', 300)}"]);
        var b = RunNames.Derive(Quickstart, [$"data.root={new string('a', 299)}"]);
        Assert.True(a.Length <= RunNames.MaxLength);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Derive_returns_an_explicit_run_name()
    {
        Assert.Equal("mine", RunNames.Derive(Quickstart with { Run = new RunConfig(Name: "mine") }, ["seed=1"]));
    }

    [Theory]
    [InlineData("../../x")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("/abs")]
    [InlineData("C:x")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("tab\there")]
    [InlineData("new\nline")]
    public void Validate_refuses_names_that_could_escape_the_root(string name)
    {
        Assert.Throws<ArgumentException>(() => RunNames.Validate(name));
    }

    [Theory]
    [InlineData("afhq-001")]
    [InlineData("quickstart-lambda_cyc=0-seed1")]
    [InlineData("a.b")]
    public void Validate_accepts_plain_names(string name) => Assert.Equal(name, RunNames.Validate(name));
}
