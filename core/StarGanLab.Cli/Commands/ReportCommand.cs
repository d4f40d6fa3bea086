using System.CommandLine;
using Spectre.Console;
using StarGanLab.Reports;

namespace StarGanLab.Cli.Commands;

/// <summary>stargan report --run DIR: (re)writes DIR/report.html from what the run directory holds, e.g. for a run
/// trained before reports existed or one still training.</summary>
static class ReportCommand
{
    public static Command Create()
    {
        var run = new Option<string>("--run") { Description = "run directory", Required = true };
        var cmd = new Command("report", "Write a run's self-contained HTML report (losses, speed, metrics, samples, config)") { run };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            string path = RunReport.Write(r.GetValue(run)!);
            AnsiConsole.MarkupLine($"wrote {Markup.Escape(path)}");
            return 0;
        }));
        return cmd;
    }
}
