namespace StarGanLab.Cli.Commands;

/// <summary>How to start this CLI again as a child process: the apphost itself, or <c>dotnet stargan.dll</c> when
/// it runs under the dotnet host (<c>dotnet run</c>, tests).</summary>
static class SelfProcess
{
    public static string[] Command()
    {
        string process = Environment.ProcessPath ?? throw new InvalidOperationException("cannot tell which program is running stargan (no process path)");
        string entry = typeof(SelfProcess).Assembly.Location;
        return Path.GetFileNameWithoutExtension(process).Equals("dotnet", StringComparison.OrdinalIgnoreCase) ? [process, entry] : [process];
    }
}
