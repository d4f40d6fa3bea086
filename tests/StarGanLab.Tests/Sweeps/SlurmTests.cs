using System.Diagnostics;
using StarGanLab.Sweeps;
using Xunit;

namespace StarGanLab.Tests.Sweeps;

/// <summary>The emitted job-array script and the reading of squeue's output (real runs through Slurm are a CI step).</summary>
public class SlurmTests
{
    [Fact]
    public void The_script_has_one_task_per_run_the_throttle_and_the_task_command()
    {
        using var s = new SweepScratch();
        var plan = s.Plan("seeds: [1, 2, 3, 4, 5]\nslurm:\n  cpus_per_task: 2\n  time: '02:00:00'\n  mem: 4G\n  partition: cpu\n" +
                          "  sbatch: [--account=lab]\n  setup: [module load dotnet]\n");
        string script = SlurmScript.Render(plan, ["/usr/bin/dotnet", "/opt/it's/stargan.dll"], "/work/here", throttle: 2);
        var lines = script.Split('\n');
        Assert.Equal("#!/bin/bash", lines[0]);
        Assert.Contains("#SBATCH --array=0-4%2", lines);
        Assert.Contains("#SBATCH --cpus-per-task=2", lines);
        Assert.Contains("#SBATCH --time=02:00:00", lines);
        Assert.Contains("#SBATCH --mem=4G", lines);
        Assert.Contains("#SBATCH --partition=cpu", lines);
        Assert.Contains("#SBATCH --account=lab", lines);
        Assert.Contains("#SBATCH --requeue", lines);
        Assert.Contains($"#SBATCH --output={plan.Folder.SlurmLogs}/%A_%a.out", lines);
        Assert.Contains($"#SBATCH --error={plan.Folder.SlurmLogs}/%A_%a.err", lines);
        Assert.Contains("module load dotnet", lines);
        Assert.Contains("cd '/work/here'", lines);
        Assert.Contains($"exec '/usr/bin/dotnet' '/opt/it'\\''s/stargan.dll' sweep task '{plan.Spec.SourceFile}' --index \"$SLURM_ARRAY_TASK_ID\" " +
                        "--expect \"${runs[$SLURM_ARRAY_TASK_ID]}\" --threads \"${SLURM_CPUS_PER_TASK:-1}\"", lines);
        // #SBATCH lines must come before the first command, or sbatch ignores them
        int firstCommand = Array.FindIndex(lines, l => l.Length > 0 && !l.StartsWith('#'));
        Assert.True(Array.FindLastIndex(lines, l => l.StartsWith("#SBATCH")) < firstCommand);
    }

    [Fact]
    public void Without_a_throttle_the_array_is_plain_and_slurm_options_not_given_are_left_out()
    {
        using var s = new SweepScratch();
        var plan = s.Plan("seeds: [1, 2, 3]\n");
        string script = SlurmScript.Render(plan, ["/x/stargan"], "/w", throttle: 0);
        Assert.Contains("#SBATCH --array=0-2\n", script);
        Assert.Contains("#SBATCH --cpus-per-task=1\n", script);
        Assert.DoesNotContain("--time", script);
        Assert.DoesNotContain("--mem", script);
        Assert.DoesNotContain("--partition", script);
        Assert.Contains("#SBATCH --array=0-2\n", SlurmScript.Render(plan, ["/x/stargan"], "/w", throttle: 3));   // %3 of 3 throttles nothing
    }

    [Fact]
    public void Each_array_task_resolves_its_own_run_from_SLURM_ARRAY_TASK_ID()
    {
        using var s = new SweepScratch();
        var plan = s.Plan("one_at_a_time: {loss.lambda_cyc: [0], loss.lambda_sty: [0]}\n");
        // The script run by bash as Slurm would, with echo standing in for stargan: what would the task execute?
        string script = SlurmScript.Render(plan, ["/bin/echo"], s.Dir, throttle: 0);
        string file = Path.Combine(s.Dir, "task.sh");
        File.WriteAllText(file, script);
        var psi = new ProcessStartInfo("bash", [file]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["SLURM_ARRAY_TASK_ID"] = "2";
        psi.Environment["SLURM_CPUS_PER_TASK"] = "3";
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        Assert.Equal($"sweep task {plan.Spec.SourceFile} --index 2 --expect 0002-tiny-lambda_sty=0 --threads 3", output.Trim());
    }

    [Fact]
    public void A_spec_built_in_code_cannot_be_emitted_because_tasks_reread_it()
    {
        using var s = new SweepScratch();
        var spec = new SweepSpec("code", s.Base, Path.Combine(s.Dir, "sweep"), [], [], [], [1]);
        var e = Assert.Throws<ArgumentException>(() => SlurmScript.Render(SweepPlan.Expand(spec), ["/x"], "/w", 0));
        Assert.Contains("write it to a YAML file", e.Message);
    }

    // Captured from Slurm 22.05 (squeue -h [-r] -j J --states=all -o "%i|%T|%r") on an --array=0-4%2 job whose task 1 exits 3.
    const string Split = "5_2|PENDING|JobArrayTaskLimit\n5_3|PENDING|JobArrayTaskLimit\n5_4|PENDING|JobArrayTaskLimit\n5_1|RUNNING|None\n5_0|RUNNING|None\n";
    const string Grouped = "5_[2-4%2]|PENDING|JobArrayTaskLimit\n5_1|RUNNING|None\n5_0|RUNNING|None\n";
    const string Later = "5_0|COMPLETED|None\n5_1|FAILED|NonZeroExitCode\n5_4|PENDING|JobArrayTaskLimit\n5_3|RUNNING|None\n5_2|RUNNING|None\n";

    [Fact]
    public void Squeue_lines_become_one_state_per_task_whether_split_or_grouped()
    {
        var split = SqueueParser.Parse(Split, "5");
        var grouped = SqueueParser.Parse(Grouped, "5");
        Assert.Equal([0, 1, 2, 3, 4], split.Keys);
        Assert.Equal(split.Values, grouped.Values);
        Assert.Equal(new SlurmTaskState(3, "PENDING", "JobArrayTaskLimit"), split[3]);
        Assert.All(split.Values, t => Assert.True(t.IsActive));

        var later = SqueueParser.Parse(Later, "5");
        Assert.Equal(("COMPLETED", false), (later[0].State, later[0].IsActive));
        Assert.Equal(("FAILED", "NonZeroExitCode", false), (later[1].State, later[1].Reason, later[1].IsActive));
        Assert.True(later[4].IsActive);
    }

    [Fact]
    public void Other_jobs_are_ignored_and_index_lists_expand()
    {
        var tasks = SqueueParser.Parse("55_1|RUNNING|None\n5_[1,3,6-7]|PENDING|Priority\n", "5");
        Assert.Equal([1, 3, 6, 7], tasks.Keys);
        Assert.Empty(SqueueParser.Parse("", "5"));
    }

    [Fact]
    public void A_line_in_another_format_is_an_error_naming_it()
    {
        var e = Assert.Throws<InvalidDataException>(() => SqueueParser.Parse("5_1 RUNNING None\n", "5"));
        Assert.Contains("5_1 RUNNING None", e.Message);
        Assert.Throws<InvalidDataException>(() => SqueueParser.Parse("5_[x]|PENDING|None\n", "5"));
    }
}
