using StarGanLab.Checkpoints;
using StarGanLab.Config;
using StarGanLab.Data;
using Spectre.Console;

namespace StarGanLab.Cli.Commands;

/// <summary>Turns the errors a user can cause (bad config, data, checkpoint, path) into a sentence and exit code 2;
/// anything else is a bug and keeps its stack trace.</summary>
static class CliErrors
{
    public static int Run(Func<int> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is ConfigException or DataException or CheckpointException or IOException
                                      or UnauthorizedAccessException or ArgumentException or InvalidDataException
                                      or InvalidOperationException or Training.TrainingDivergedException
                                      or Kernels.KernelFaultException)
        {
            AnsiConsole.MarkupLine("[red]error:[/] {0}", Markup.Escape(Security.SecretRedactor.Redact(e.Message)));
            return 2;
        }
    }
}
