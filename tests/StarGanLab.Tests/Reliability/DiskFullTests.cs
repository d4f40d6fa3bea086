using System.Diagnostics;
using StarGanLab.Checkpoints;
using StarGanLab.Runs;
using StarGanLab.Tests.Training;
using StarGanLab.Training;
using StarGanLab.Experiments.Hooks;
using Xunit;
using StarGanLab.Experiments;

namespace StarGanLab.Tests.Reliability;

/// <summary>A run directory on a real, small tmpfs that fills up mid-run. Needs permission to mount (root in CI's
/// container); skipped with the reason otherwise.</summary>
public sealed class TmpfsFactAttribute : FactAttribute
{
    static readonly string? Reason = Probe();

    public TmpfsFactAttribute()
    {
        if (Reason != null) Skip = Reason;
    }

    static string? Probe()
    {
        if (!OperatingSystem.IsLinux()) return "needs Linux tmpfs";
        string dir = Directory.CreateTempSubdirectory("tmpfs-probe").FullName;
        try
        {
            var (code, output) = DiskFullTests.Sh("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir);
            if (code != 0) return $"cannot mount a tmpfs here ({output.Trim()}); run as root to test a full disk";
            DiskFullTests.Sh("umount", dir);
            return null;
        }
        finally { Directory.Delete(dir); }
    }
}

public class DiskFullTests : TorchTest
{
    internal static (int Code, string Output) Sh(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        try
        {
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
            p.WaitForExit();
            return (p.ExitCode, output);
        }
        catch (System.ComponentModel.Win32Exception e) { return (-1, e.Message); }
    }

    /// <summary>A 4 MB tmpfs for the duration of <paramref name="body"/>.</summary>
    static void OnTmpfs(Action<string> body)
    {
        string dir = Directory.CreateTempSubdirectory("stargan-full").FullName;
        var (code, output) = Sh("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", dir);
        Assert.True(code == 0, output);
        try { body(dir); }
        finally
        {
            Sh("umount", dir);
            Directory.Delete(dir, true);
        }
    }

    /// <summary>After the given step's hooks, fills the disk up to <paramref name="leave"/> free bytes.</summary>
    sealed class FillDiskAt(long step, string dir, long leave) : ITrainHook
    {
        public void AfterStep(TrainContext c, StepLosses l)
        {
            if (c.Step != step) return;
            long free = new DriveInfo(dir).AvailableFreeSpace - leave;
            using var fs = new FileStream(Path.Combine(dir, "filler"), FileMode.Create);
            var block = new byte[4096];
            try { for (long n = 0; n < free; n += block.Length) fs.Write(block, 0, (int)Math.Min(block.Length, free - n)); fs.Flush(); }
            catch (IOException) { /* full already: exactly what the test wants */ }
        }
    }

    static void AssertIntact(string checkpointDir, long step)
    {
        Assert.Equal([step], TrainerCheckpoints.CompleteSteps(checkpointDir));
        foreach (var kind in new[] { TrainerCheckpoints.Nets, TrainerCheckpoints.NetsEma, TrainerCheckpoints.Optims })
            NativeCheckpoint.Load(TrainerCheckpoints.FileOf(checkpointDir, step, kind)).Dispose();   // verifies the SHA-256
        Assert.Empty(Directory.EnumerateFiles(checkpointDir, "*.tmp"));
    }

    [TmpfsFact]
    public void A_full_disk_during_a_checkpoint_is_a_clear_error_and_the_previous_checkpoint_stays_intact()
    {
        OnTmpfs(root =>
        {
            var cfg = TinyRuns.Config(root, totalIters: 4, saveEvery: 1, workers: 0);
            using (var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "full", false), _ => { }))
            {
                // 16 KB left: enough for a losses.jsonl line, not for a checkpoint
                var ex = Assert.Throws<CheckpointException>(() => s.Train([new LossLogHook(1), new CheckpointHook(1, 0), new FillDiskAt(1, root, 16 << 10)]));
                Assert.Contains("could not write the checkpoint of step 2", ex.Message);
                Assert.Contains("No space left on device", ex.Message);
                Assert.Contains("the newest complete checkpoint (step 1) is intact", ex.Message);
            }
            string dir = Path.Combine(root, "full", "checkpoints");
            AssertIntact(dir, 1);
            Assert.Empty(Directory.EnumerateFiles(dir, "000002_*"));

            File.Delete(Path.Combine(root, "filler"));   // space freed: the run resumes
            using var again = TrainingSession.Resume(RunDirectory.Open(Path.Combine(root, "full")), [], _ => { });
            again.Train([new LossLogHook(1), new CheckpointHook(1, 0)]);
            Assert.Equal(4, again.Trainer.Step);
        });
    }

    [TmpfsFact]
    public void A_full_disk_while_writing_samples_is_a_clear_error_and_the_checkpoint_stays_intact()
    {
        OnTmpfs(root =>
        {
            var cfg = TinyRuns.Config(root, totalIters: 4, saveEvery: 1, workers: 0);
            using var s = TrainingSession.Start(cfg, RunDirectory.Create(root, "full", false), _ => { });
            var ex = Assert.Throws<IOException>(() => s.Train([new SampleHook(1, outsPerDomain: 1), new CheckpointHook(1, 0), new FillDiskAt(1, root, 0)]));
            Assert.Contains($"could not write the samples of step 2 to {Path.Combine(root, "full", "samples")}", ex.Message);
            Assert.Contains("No space left on device", ex.Message);
            AssertIntact(Path.Combine(root, "full", "checkpoints"), 1);
        });
    }
}
