using StarGanLab.Config;
using StarGanLab.Sweeps;
using Xunit;

namespace StarGanLab.Tests.Sweeps;

/// <summary>Reading and validating sweep specs: every problem at once, each at its file and line.</summary>
public class SweepSpecTests
{
    static ConfigException Fails(SweepScratch s, string rest) =>
        Assert.Throws<ConfigException>(() => SweepPlan.Expand(SweepSpecLoader.Load(s.Spec(rest))));

    [Fact]
    public void A_spec_reads_its_sections_and_resolves_the_base_next_to_it()
    {
        using var s = new SweepScratch();
        var spec = SweepSpecLoader.Load(s.Spec("name: abl\nset: {train: {batch_size: 2}, loss.ds_iter: 5}\ngrid: {optim.lr: [1e-4, 2e-4]}\n" +
                                                "one_at_a_time: {loss.lambda_cyc: 0}\nseeds: [3, 4]\nslurm: {cpus_per_task: 2, time: '01:00:00', sbatch: [--account=lab]}\n"));
        Assert.Equal("abl", spec.Name);
        Assert.Equal(s.Base, spec.BaseConfig);
        Assert.Equal(["train.batch_size=2", "loss.ds_iter=5"], spec.Set);
        Assert.Equal(["1e-4", "2e-4"], Assert.Single(spec.Grid).Values);
        Assert.Equal(["0"], Assert.Single(spec.OneAtATime).Values);   // a single value is a list of one
        Assert.Equal([3, 4], spec.Seeds);
        Assert.Equal(2, spec.Slurm.CpusPerTask);
        Assert.Equal("01:00:00", spec.Slurm.Time);
        Assert.Equal(["--account=lab"], spec.Slurm.Sbatch);
    }

    [Fact]
    public void Every_problem_of_the_spec_is_reported_at_once_with_line_and_suggestion()
    {
        using var s = new SweepScratch();
        // lines: 1 base, 2 root, 3 one_at_time, 4 seeds, 5 grid, 6 run.name, 7 slurm
        var e = Fails(s, "one_at_time: {loss.lambda_cyc: [0]}\nseeds: [1, x, 1]\ngrid:\n  run.name: [a]\nslurm: {cpus: 2}\n");
        string text = e.Message;
        Assert.Contains("spec.yaml:3:1: one_at_time: unknown key 'one_at_time'; did you mean 'one_at_a_time'?", text);
        Assert.Contains("spec.yaml:4:12: seeds: expected an integer seed, got 'x'", text);
        Assert.Contains("spec.yaml:4:15: seeds: seed 1 is listed twice", text);
        Assert.Contains("spec.yaml:6:14: grid.run.name: the sweep names its runs", text);
        Assert.Contains("slurm.cpus: unknown key 'cpus'; expected one of cpus_per_task", text);
        Assert.Equal(5, e.Problems.Count);
    }

    [Fact]
    public void A_misspelt_axis_key_and_a_mistyped_value_are_reported_at_their_spec_lines()
    {
        using var s = new SweepScratch();
        var e = Fails(s, "one_at_a_time:\n  loss.lambda_cyx: [0]\n  loss.lambda_sty: [0, off]\nset:\n  train.batch_size: two\n");
        var byKey = e.Problems.ToDictionary(p => p.KeyPath);
        Assert.Equal((4, 21), (byKey["loss.lambda_cyx"].Line, byKey["loss.lambda_cyx"].Column));
        Assert.Contains("did you mean 'loss.lambda_cyc'", byKey["loss.lambda_cyx"].Message);
        Assert.Equal((5, 24), (byKey["loss.lambda_sty"].Line, byKey["loss.lambda_sty"].Column));
        Assert.Contains("expected a number, got 'off'", byKey["loss.lambda_sty"].Message);
        Assert.Equal(7, byKey["train.batch_size"].Line);
        Assert.All(e.Problems, p => Assert.EndsWith("spec.yaml", p.File));
        Assert.Equal(3, e.Problems.Count);   // the bad batch size breaks every run, and is reported once
    }

    [Fact]
    public void A_missing_or_absent_base_is_named()
    {
        using var s = new SweepScratch();
        var missing = Assert.Throws<ConfigException>(() => SweepSpecLoader.Load(s.Write("nobase", "seeds: [1]\n")));
        Assert.Contains("base: required key is missing", missing.Message);
        var absent = Assert.Throws<ConfigException>(() => SweepSpecLoader.Load(s.Write("gone", "base: missing.yaml\n")));
        Assert.Contains("gone.yaml:1:7: base: base config not found", absent.Message);
    }

    [Fact]
    public void A_value_that_repeats_the_base_config_is_refused_as_a_duplicate_run()
    {
        using var s = new SweepScratch();
        var e = Fails(s, "one_at_a_time:\n  loss.lambda_cyc: [1]\n");   // the base's value: the same run twice
        var p = Assert.Single(e.Problems);
        Assert.Equal(4, p.Line);
        Assert.Contains("resolves to the same config as run 0000-tiny", p.Message);
    }

    [Fact]
    public void A_key_in_both_grid_and_one_at_a_time_is_refused()
    {
        using var s = new SweepScratch();
        var e = Assert.Throws<ConfigException>(() => SweepSpecLoader.Load(s.Spec("grid: {loss.lambda_cyc: [0, 2]}\none_at_a_time: {loss.lambda_cyc: [0]}\n")));
        Assert.Contains("one_at_a_time.loss.lambda_cyc: is also a grid axis", Assert.Single(e.Problems).ToString());
    }

    [Fact]
    public void A_list_of_bases_sweeps_each_of_them_outermost_named_after_its_config()
    {
        using var s = new SweepScratch();
        s.Write("other", "base: tiny.yaml\nname: other\nloss: {lambda_cyc: 2}\n");
        var spec = SweepSpecLoader.Load(s.Write("multi", $"base: [tiny.yaml, other.yaml]\nroot: {Path.Combine(s.Dir, "sweep")}\n" +
                                                         "seeds: [1, 2]\none_at_a_time: {loss.lambda_sty: [0]}\n"));
        Assert.Equal([s.Base, Path.Combine(s.Dir, "other.yaml")], spec.Bases);
        Assert.Equal(s.Base, spec.BaseConfig);
        var plan = SweepPlan.Expand(spec);
        Assert.Equal(["0000-tiny-seed1", "0001-tiny-seed2", "0002-tiny-lambda_sty=0-seed1", "0003-tiny-lambda_sty=0-seed2",
                      "0004-other-seed1", "0005-other-seed2", "0006-other-lambda_sty=0-seed1", "0007-other-lambda_sty=0-seed2"],
                     plan.Runs.Select(r => r.Name));
        Assert.All(plan.Runs.Skip(4), r => Assert.Equal(Path.Combine(s.Dir, "other.yaml"), r.BaseConfig));
        Assert.All(plan.Runs.Skip(4), r => Assert.Equal(2f, r.Config.Loss.LambdaCyc));
        Assert.Equal(1f, plan.Runs[0].Config.Loss.LambdaCyc);
    }

    [Fact]
    public void Bases_that_share_a_config_name_are_missing_or_repeated_are_refused()
    {
        using var s = new SweepScratch();
        s.Write("twin", "base: tiny.yaml\nloss: {lambda_cyc: 2}\n");   // same name: tiny
        var twin = Assert.Throws<ConfigException>(() => SweepPlan.Expand(SweepSpecLoader.Load(s.Write("a", "base: [tiny.yaml, twin.yaml]\n"))));
        Assert.Contains("both have the config name 'tiny'", Assert.Single(twin.Problems).Message);

        var bad = Assert.Throws<ConfigException>(() => SweepSpecLoader.Load(s.Write("b", "base: [tiny.yaml, gone.yaml, tiny.yaml]\n")));
        Assert.Contains("b.yaml:1:19: base: base config not found", bad.Message);
        Assert.Contains("b.yaml:1:30: base: base config tiny.yaml is listed twice", bad.Message);
        var empty = Assert.Throws<ConfigException>(() => SweepSpecLoader.Load(s.Write("c", "base: []\n")));
        Assert.Contains("base: expected a config path or a list of them, got an empty list", empty.Message);
    }
}
