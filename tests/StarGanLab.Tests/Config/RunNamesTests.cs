using Xunit;
using StarGanLab.Config;

namespace StarGanLab.Tests.Config;

public class RunNamesTests
{
    static readonly ExperimentConfig Quickstart = new("quickstart");

    [Fact]
    public void Short_names_are_the_config_name_and_a_hash_of_the_overrides()
    {
        Assert.Equal("quickstart", RunNames.Short(Quickstart, []));
        Assert.Equal("quickstart", RunNames.Short(Quickstart, ["run.root=/tmp"]));
        string a = RunNames.Short(Quickstart, ["loss.lambda_cyc=0", "seed=1", "train.batch_size=4", "optim.lr=5e-4", "model.style_dim=32"]);
        Assert.Matches("^quickstart-[0-9a-f]{6}$", a);
        // the same settings name the same run, in any order and with earlier values replaced
        Assert.Equal(a, RunNames.Short(Quickstart, ["model.style_dim=32", "optim.lr=5e-4", "train.batch_size=2", "seed=1", "loss.lambda_cyc=0", "train.batch_size=4"]));
        Assert.NotEqual(a, RunNames.Short(Quickstart, ["loss.lambda_cyc=0", "seed=2", "train.batch_size=4", "optim.lr=5e-4", "model.style_dim=32"]));
        Assert.Equal("mine", RunNames.Short(Quickstart with { Run = new RunConfig(Name: "mine") }, ["seed=1"]));
    }

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
