using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace StarGanLab.Sweeps;

/// <summary>How one run fared in a local sweep.</summary>
/// <param name="Result">skipped (finished before), finished, stopped (by a signal; resumable), failed, busy (another
/// process holds it), conflict (its folder holds another config's run).</param>
/// <param name="LogFile">The child's output (null when no child ran).</param>
public sealed record RunOutcome(SweepRun Run, string Result, int ExitCode, TimeSpan Elapsed, string? LogFile, string Detail)
{
    public bool IsFailure => Result is "failed" or "conflict";
}

/// <summary>Runs a sweep on this machine, each run as a child process (normally `stargan sweep task SPEC --index I`),
/// at most N at a time. Child processes rather than threads: libtorch's thread pool is per process (each child gets
/// its share of the cores), a native crash or an out-of-memory kill takes down one run and not the sweep, and each
/// run goes through exactly the code a Slurm array task runs, signal handling and checkpoint-on-stop included.
/// A failed run is reported and the others go on.</summary>
public sealed class LocalSweepRunner(SweepPlan plan, Func<SweepRun, ProcessStartInfo> command, Action<string> log)
{
    readonly ConcurrentDictionary<int, Process> live = new();

    /// <summary>Runs every run that is not finished, <paramref name="parallel"/> at a time, in plan order. When
    /// <paramref name="stop"/> fires, no further run is started and the running ones are waited for (they got the
    /// terminal's Ctrl-C themselves, or <see cref="Terminate"/>).</summary>
    public IReadOnlyList<RunOutcome> Run(int parallel, CancellationToken stop = default)
    {
        if (parallel < 1) throw new ArgumentException($"--parallel must be at least 1, got {parallel}");
        var outcomes = new RunOutcome?[plan.Runs.Count];
        var todo = new List<SweepRun>();
        foreach (var run in plan.Runs)
        {
            var status = RunStatus.Inspect(plan.Folder, run);
            outcomes[run.Index] = status.State switch
            {
                RunState.Finished => new(run, "skipped", 0, TimeSpan.Zero, null, $"finished at step {status.Step}"),
                RunState.Running => new(run, "busy", 0, TimeSpan.Zero, null, $"being trained by another process ({status.Detail})"),
                RunState.Conflict => new(run, "conflict", 2, TimeSpan.Zero, null, status.Detail),
                _ => null,
            };
            if (outcomes[run.Index] is { } o) log($"{run.Name}: {o.Result}, {o.Detail}");
            else todo.Add(run);
        }
        log($"sweep {plan.Spec.Name}: {plan.Runs.Count} runs, {todo.Count} to train, {parallel} at a time; logs in {plan.Folder.LogsDirectory}");

        int started = 0;
        Parallel.ForEach(Partitioner.Create(todo, EnumerablePartitionerOptions.NoBuffering),
            new ParallelOptions { MaxDegreeOfParallelism = parallel },
            (run, state) =>
            {
                if (stop.IsCancellationRequested) { state.Stop(); return; }
                int n = Interlocked.Increment(ref started);
                outcomes[run.Index] = RunChild(run, $"[{n}/{todo.Count}]");
            });
        return [.. outcomes.Select((o, i) => o ?? new RunOutcome(plan.Runs[i], "stopped", 0, TimeSpan.Zero, null, "not started: the sweep was stopped"))];
    }

    RunOutcome RunChild(SweepRun run, string counter)
    {
        string logFile = plan.Folder.LogFile(run.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(logFile)!);
        var psi = command(run);
        psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        var watch = Stopwatch.StartNew();
        int code;
        using (var writer = new StreamWriter(new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true })
        {
            writer.WriteLine($"=== {DateTime.UtcNow:u} {psi.FileName} {string.Join(' ', psi.ArgumentList)}");
            void Write(object _, DataReceivedEventArgs e) { if (e.Data is { } line) lock (writer) writer.WriteLine(line); }
            using var p = new Process { StartInfo = psi };
            p.OutputDataReceived += Write;
            p.ErrorDataReceived += Write;
            p.Start();
            live[p.Id] = p;
            log($"{counter} {run.Name}: started (pid {p.Id})");
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            p.WaitForExit();   // also waits for the end of both output streams
            live.TryRemove(p.Id, out _);
            code = p.ExitCode;
        }
        var elapsed = watch.Elapsed;
        var status = RunStatus.Inspect(plan.Folder, run);
        if (code == 0 && status.State == RunState.Finished)
        {
            log($"{counter} {run.Name}: finished in {elapsed.TotalSeconds:F1} s");
            return new(run, "finished", 0, elapsed, logFile, "");
        }
        string result = code is 0 or 130 or 143 ? "stopped" : "failed";
        string tail = string.Join(Environment.NewLine, File.ReadLines(logFile).TakeLast(6).Select(l => "    " + l));
        log($"{counter} {run.Name}: {result.ToUpperInvariant()} (exit code {code}) after {elapsed.TotalSeconds:F1} s at step {status.Step}; " +
            $"the end of {logFile}:{Environment.NewLine}{tail}");
        return new(run, result, code, elapsed, logFile, $"exit code {code}");
    }

    /// <summary>Asks every running child to stop (SIGTERM: it finishes its step, writes a checkpoint and exits 143).</summary>
    public void Terminate()
    {
        foreach (var p in live.Values)
        {
            try
            {
                if (OperatingSystem.IsWindows()) p.Kill(entireProcessTree: true);
                else _ = Kill(p.Id, SigTerm);
            }
            catch (InvalidOperationException) { /* exited meanwhile */ }
        }
    }

    const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    static extern int Kill(int pid, int signal);
}
