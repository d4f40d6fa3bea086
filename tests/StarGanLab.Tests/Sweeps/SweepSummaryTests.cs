using System.Globalization;
using StarGanLab.Config;
using StarGanLab.Runs;
using StarGanLab.Sweeps;
using StarGanLab.Training;
using Xunit;

namespace StarGanLab.Tests.Sweeps;

/// <summary>The results table from prepared run folders (no training): final values, mean and std over seeds.</summary>
public class SweepSummaryTests
{
    /// <summary>A run folder as training leaves it: config.yaml, losses.jsonl, optionally metrics.jsonl, and the three
    /// checkpoint files of <paramref name="step"/> (empty: only their presence decides whether the run is finished).</summary>
    internal static void Prepare(SweepPlan plan, SweepRun run, long step, double cyc, double? fid = null)
    {
        string dir = Directory.CreateDirectory(plan.RunDirectory(run)).FullName;
        File.WriteAllText(Path.Combine(dir, RunDirectory.ConfigFileName), ConfigWriter.ToYaml(run.Config));
        string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        File.WriteAllText(Path.Combine(dir, "losses.jsonl"),
            $"{{\"step\":1,\"time\":\"t\",\"s_per_iter\":0.5,\"G/ref_cyc\":9,\"D/latent_real\":0.5}}\n" +
            $"{{\"step\":{step},\"time\":\"t\",\"s_per_iter\":0.5,\"G/ref_cyc\":{F(cyc)},\"D/latent_real\":0.25,\"G/lambda_ds\":0}}\n");
        if (fid is { } f)
            File.WriteAllText(Path.Combine(dir, "metrics.jsonl"),
                $"{{\"step\":1,\"FID_latent/mean\":99,\"LPIPS_latent/mean\":0.5}}\n{{\"step\":{step},\"FID_latent/mean\":{F(f)}}}\n");
        string ckpt = Directory.CreateDirectory(Path.Combine(dir, "checkpoints")).FullName;
        foreach (var kind in new[] { TrainerCheckpoints.Nets, TrainerCheckpoints.NetsEma, TrainerCheckpoints.Optims })
            File.WriteAllBytes(TrainerCheckpoints.FileOf(ckpt, step, kind), []);
    }

    [Fact]
    public void Variants_get_mean_and_sample_std_over_their_finished_seeds()
    {
        using var s = new SweepScratch(totalIters: 2);
        var plan = s.Plan("one_at_a_time: {loss.lambda_cyc: [0]}\nseeds: [1, 2, 3]\n");
        // base: cyc 1, 2, 3 (mean 2, std 1), FID 10, 20, 30 (mean 20, std 10)
        for (int i = 0; i < 3; i++) Prepare(plan, plan.Runs[i], 2, cyc: i + 1, fid: 10 * (i + 1));
        // lambda_cyc=0: two finished seeds (cyc 4 and 6) and one interrupted at step 1, left out of the statistics
        Prepare(plan, plan.Runs[3], 2, cyc: 4);
        Prepare(plan, plan.Runs[4], 2, cyc: 6);
        Prepare(plan, plan.Runs[5], 1, cyc: 100);

        var summary = SweepSummary.Build(plan);
        Assert.Equal(["FID_latent/mean", "G/ref_cyc", "D/latent_real"], summary.Columns);   // LPIPS is not in the newest evaluation
        var (b, ablated) = (summary.Variants[0], summary.Variants[1]);
        Assert.Equal(("tiny", 3), (b.Variant, b.Finished));
        Assert.Equal(new SummaryStat(2, 1, 3), b.Stats["G/ref_cyc"]);
        Assert.Equal(new SummaryStat(20, 10, 3), b.Stats["FID_latent/mean"]);
        Assert.Equal(("tiny-lambda_cyc=0", 2), (ablated.Variant, ablated.Finished));
        Assert.Equal(5, ablated.Stats["G/ref_cyc"].Mean);
        Assert.Equal(Math.Sqrt(2), ablated.Stats["G/ref_cyc"].Std!.Value, 12);
        Assert.False(ablated.Stats.ContainsKey("FID_latent/mean"));
        Assert.Equal(RunState.Interrupted, summary.Runs[5].State);
        Assert.Equal(100, summary.Runs[5].Values["G/ref_cyc"]);   // still listed per run

        summary.Write();
        var csv = File.ReadAllLines(plan.Folder.SummaryCsv);
        Assert.Equal("variant,overrides,runs,finished,FID_latent/mean_mean,FID_latent/mean_std,FID_latent/mean_ci95," +
                     "G/ref_cyc_mean,G/ref_cyc_std,G/ref_cyc_ci95,D/latent_real_mean,D/latent_real_std,D/latent_real_ci95", csv[0]);
        // 95% half-widths: t(0.975, 2) = 4.3027 times std / sqrt(3)
        Assert.Equal($"tiny,,3,3,20,10,{4.3027 * 10 / Math.Sqrt(3):R},2,1,{4.3027 / Math.Sqrt(3):R},0.25,0,0", csv[1]);
        Assert.StartsWith("tiny-lambda_cyc=0,loss.lambda_cyc=0,3,2,,,,5,1.414", csv[2]);
        var runs = File.ReadAllLines(plan.Folder.RunsCsv);
        Assert.Equal("index,run,variant,seed,state,step,FID_latent/mean,G/ref_cyc,D/latent_real", runs[0]);
        Assert.Equal("5,0005-tiny-lambda_cyc=0-seed3,tiny-lambda_cyc=0,3,interrupted,1,,100,0.25", runs[6]);
        string md = File.ReadAllText(plan.Folder.SummaryMarkdown);
        Assert.Contains("| (base) | 3/3 | 20 ± 10 [-4.842, 44.84] | 2 ± 1 [-0.4842, 4.484] | 0.25 ± 0 [0.25, 0.25] |", md);
        Assert.Contains("| loss.lambda_cyc=0 | 2/3 |  | 5 ± 1.414 [-7.706, 17.71] | 0.25 ± 0 [0.25, 0.25] |", md);   // t(0.975, 1) = 12.71
        Assert.Contains("| 0005-tiny-lambda_cyc=0-seed3 | interrupted | 1/2 |  | 100 | 0.25 |", md);
    }

    [Fact]
    public void A_single_seed_has_a_mean_and_no_std_and_pending_runs_are_listed_without_values()
    {
        using var s = new SweepScratch(totalIters: 2);
        var plan = s.Plan("seeds: [1, 2]\n");
        Prepare(plan, plan.Runs[0], 2, cyc: 0.5);
        var summary = SweepSummary.Build(plan);
        Assert.Equal(new SummaryStat(0.5, null, 1), summary.Variants[0].Stats["G/ref_cyc"]);
        Assert.Equal(RunState.Pending, summary.Runs[1].State);
        Assert.Empty(summary.Runs[1].Values);
        Assert.Contains("tiny,,2,1,0.5,,,0.25,,", summary.VariantsCsv());
    }

    [Fact]
    public void Student_t_quantiles_match_the_tables_and_the_expansion_joins_them()
    {
        Assert.Equal(12.7062, StudentT.Quantile975(1));
        Assert.Equal(4.3027, StudentT.Quantile975(2));
        Assert.Equal(2.0423, StudentT.Quantile975(30));
        Assert.Equal(2.0395, StudentT.Quantile975(31), 3);    // exact 2.03951
        Assert.Equal(2.0211, StudentT.Quantile975(40), 3);    // exact 2.02108
        Assert.Equal(1.9840, StudentT.Quantile975(100), 3);   // exact 1.98397
        Assert.Throws<ArgumentOutOfRangeException>(() => StudentT.Quantile975(0));
    }

    [Fact]
    public void With_several_bases_each_variant_is_labelled_by_its_config_name()
    {
        using var s = new SweepScratch(totalIters: 2);
        s.Write("other", $"base: tiny.yaml\nname: other\n");
        var plan = SweepPlan.Expand(SweepSpecLoader.Load(s.Write("spec", $"base: [tiny.yaml, other.yaml]\nroot: {Path.Combine(s.Dir, "sweep")}\nseeds: [1, 2]\n")));
        for (int i = 0; i < 4; i++) Prepare(plan, plan.Runs[i], 2, cyc: i);
        var summary = SweepSummary.Build(plan);
        Assert.Equal(["tiny", "other"], summary.Variants.Select(v => v.Label));
        string md = summary.Markdown();
        Assert.Contains("| tiny | 2/2 |", md);
        Assert.Contains("| other | 2/2 | 2.5 ± 0.7071 [-3.853, 8.853] |", md);
        Assert.Contains("bases `", md);
    }
}
