using StarGanLab.Sweeps;
using Xunit;

namespace StarGanLab.Tests.Sweeps;

/// <summary>Expanding a spec into runs: counts, order, names, configs.</summary>
public class SweepPlanTests
{
    [Fact]
    public void A_grid_runs_every_combination_once_per_seed_with_the_seed_innermost()
    {
        using var s = new SweepScratch();
        var plan = s.Plan("grid:\n  loss.lambda_cyc: [0, 2]\n  optim.lr: [1e-4, 2e-4, 3e-4]\nseeds: [1, 2]\n");
        Assert.Equal(2 * 3 * 2, plan.Runs.Count);
        Assert.Equal("0000-tiny-lambda_cyc=0-lr=1e-4-seed1", plan.Runs[0].Name);
        Assert.Equal("0001-tiny-lambda_cyc=0-lr=1e-4-seed2", plan.Runs[1].Name);
        Assert.Equal("0011-tiny-lambda_cyc=2-lr=3e-4-seed2", plan.Runs[11].Name);
        Assert.Equal("tiny-lambda_cyc=2-lr=3e-4", plan.Runs[11].Variant);
        Assert.Equal(6, plan.Runs.Select(r => r.Variant).Distinct().Count());
        var r7 = plan.Runs[7];   // lambda_cyc=2, lr=1e-4, seed 2
        Assert.Equal((2.0, 1e-4, 2), (r7.Config.Loss.LambdaCyc, r7.Config.Optim.Lr, r7.Config.Seed));
        Assert.Equal(plan.Folder.Root, r7.Config.Run.Root);
        Assert.Equal(r7.Name, r7.Config.Run.Name);
        Assert.Equal(Enumerable.Range(0, 12), plan.Runs.Select(r => r.Index));
    }

    [Fact]
    public void One_at_a_time_runs_the_base_once_and_each_value_alone()
    {
        using var s = new SweepScratch();
        var plan = s.Plan("one_at_a_time:\n  loss.lambda_cyc: [0]\n  loss.lambda_sty: [0, 2]\nseeds: [5, 6, 7]\n");
        Assert.Equal((1 + 1 + 2) * 3, plan.Runs.Count);
        Assert.Equal(["tiny", "tiny-lambda_cyc=0", "tiny-lambda_sty=0", "tiny-lambda_sty=2"], plan.Runs.Select(r => r.Variant).Distinct());
        Assert.Equal("0000-tiny-seed5", plan.Runs[0].Name);
        Assert.Equal("0007-tiny-lambda_sty=0-seed6", plan.Runs[7].Name);
        // each value alone: the lambda_sty runs keep the base's lambda_cyc
        Assert.All(plan.Runs.Where(r => r.Variant.Contains("lambda_sty")), r => Assert.Equal(1, r.Config.Loss.LambdaCyc));
        Assert.Empty(plan.Runs[0].AxisOverrides);
    }

    [Fact]
    public void Grid_and_one_at_a_time_combine_per_grid_point_and_common_overrides_stay_out_of_names()
    {
        using var s = new SweepScratch();
        var plan = s.Plan("set: {train.batch_size: 3}\ngrid: {optim.lr: [1e-4, 2e-4]}\none_at_a_time: {loss.lambda_ds: [0]}\n");
        Assert.Equal(["0000-tiny-lr=1e-4", "0001-tiny-lr=1e-4-lambda_ds=0", "0002-tiny-lr=2e-4", "0003-tiny-lr=2e-4-lambda_ds=0"],
            plan.Runs.Select(r => r.Name));
        Assert.All(plan.Runs, r => Assert.Equal(3, r.Config.Train.BatchSize));
        Assert.Null(plan.Runs[0].Seed);
    }

    [Fact]
    public void Expanding_the_same_spec_twice_gives_the_same_runs_in_the_same_folders()
    {
        using var s = new SweepScratch();
        string rest = "grid: {optim.lr: [1e-4, 2e-4]}\nseeds: [1, 2]\n";
        var a = s.Plan(rest);
        var b = s.Plan(rest);
        Assert.Equal(a.Runs.Select(a.RunDirectory), b.Runs.Select(b.RunDirectory));
        Assert.Equal(a.Runs.Select(r => string.Join(" ", r.Overrides)), b.Runs.Select(r => string.Join(" ", r.Overrides)));
    }

    [Fact]
    public void A_run_index_outside_the_sweep_names_the_valid_range()
    {
        using var s = new SweepScratch();
        var plan = s.Plan("seeds: [1, 2, 3]\n");
        Assert.Equal("0002-tiny-seed3", plan.At(2).Name);
        Assert.Contains("runs 0..2", Assert.Throws<ArgumentException>(() => plan.At(3)).Message);
    }

    [Theory]
    [InlineData("ablation.yaml", 24, 8)]
    [InlineData("tiny.yaml", 3, 3)]
    public void Shipped_sweep_specs_expand(string file, int runs, int variants)
    {
        var plan = SweepPlan.Expand(SweepSpecLoader.Load(Path.Combine(Fixtures.RepoRoot, "configs", "sweeps", file)));
        Assert.Equal(runs, plan.Runs.Count);
        Assert.Equal(variants, plan.Runs.Select(r => r.Variant).Distinct().Count());
    }
}
