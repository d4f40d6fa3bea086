using System.Diagnostics;

namespace StarGanLab.Tests.Cli;

/// <summary>Runs the built stargan command as a child process, as a user would, and captures its output.</summary>
public static class StarganProcess
{
    public static (int Exit, string Output) Run(string workingDirectory, params string[] args) => Run(workingDirectory, new Dictionary<string, string>(), args);

    /// <param name="environment">Variables set for the child on top of this process's environment.</param>
    public static (int Exit, string Output) Run(string workingDirectory, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var (key, value) in environment) psi.Environment[key] = value;
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "stargan.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();   // both pipes at once: a full stderr pipe cannot block the child
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
