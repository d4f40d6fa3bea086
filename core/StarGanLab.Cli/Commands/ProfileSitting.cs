using System.Diagnostics;
using StarGanLab.Benchmarks;

namespace StarGanLab.Cli.Commands;

/// <summary>The second sitting of <c>stargan bench --profile</c>: the same benchmark in a child process with
/// <c>ONEDNN_VERBOSE=profile_exec</c> (oneDNN reads it once, at its start, so it cannot be switched on in a running
/// process) and phase markers, one warm-up and one logged iteration; then this CPU's conv peak.</summary>
static class ProfileSitting
{
    public static BenchmarkProfile Run(string config, IEnumerable<string> sets, TrainingBenchmarkResult timed, double? givenPeak, Action<string>? progress)
    {
        var cli = SelfProcess.Command();
        var psi = new ProcessStartInfo(cli[0])
        {
            WorkingDirectory = Environment.CurrentDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        // The same threads as the timed sitting: `threads: 0` chooses by the load at start, which may differ.
        var args = cli.Skip(1).Concat(["bench", config]).Concat(sets.SelectMany(s => new[] { "--set", s }))
            .Concat(["--set", $"threads={timed.Threads}", "--iters", "1", "--warmup", "1", "--data-batches", "0", "--phase-markers"]);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["ONEDNN_VERBOSE"] = "profile_exec";
        progress?.Invoke("profile: one warm-up and one logged iteration under ONEDNN_VERBOSE=profile_exec");
        using var child = Process.Start(psi) ?? throw new InvalidOperationException("could not start the profile sitting");
        var stderr = child.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        while (child.StandardOutput.ReadLine() is { } line) lines.Add(line);
        child.WaitForExit();
        if (child.ExitCode != 0)
            throw new InvalidOperationException($"the profile sitting exited with {child.ExitCode}: {Tail(stderr.Result)}");
        var work = OneDnnProfile.Read(lines, iteration: 1);
        progress?.Invoke("profile: measuring this CPU's conv peak");
        return BenchmarkProfile.Of(timed, work, ConvPeak.Measure(), givenPeak);
    }

    static string Tail(string text) => text.Length <= 2000 ? text.Trim() : "..." + text[^2000..].Trim();
}
