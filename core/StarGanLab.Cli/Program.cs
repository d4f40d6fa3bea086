using System.CommandLine;
using StarGanLab.Cli;
using StarGanLab.Cli.Commands;

// The stargan command: thin verbs over the StarGanLab library.
IgnoredSignals.RestoreSigInt();   // first: .NET fixes its view of SIGINT when the console is first used
if (Console.IsOutputRedirected) Spectre.Console.AnsiConsole.Profile.Width = 200;   // logs and CI: no 80-column wrapping
var root = new RootCommand("StarGanLab: StarGAN v2 training, parity checks and checkpoint tools");
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(ParityCommand.Create());
root.Subcommands.Add(ImportCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(DataCommand.Create());
root.Subcommands.Add(BenchCommand.Create());
root.Subcommands.Add(AlignCommand.Create());
root.Subcommands.Add(ReportCommand.Create());
root.Subcommands.Add(SweepCommand.Create());
root.Subcommands.Add(SampleCommand.Create());
root.Subcommands.Add(TranslateCommand.Create());
root.Subcommands.Add(EvalCommand.Create());
root.Subcommands.Add(DoctorCommand.Create());
return root.Parse(args).Invoke();
