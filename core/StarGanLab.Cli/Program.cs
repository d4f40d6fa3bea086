using System.CommandLine;
using StarGanLab.Cli.Commands;

// The stargan command: thin verbs over the StarGanLab library.
var root = new RootCommand("StarGanLab: StarGAN v2 training, parity checks and checkpoint tools");
root.Subcommands.Add(TrainCommand.Create());
root.Subcommands.Add(ParityCommand.Create());
root.Subcommands.Add(ImportCommand.Create());
root.Subcommands.Add(ExportCommand.Create());
root.Subcommands.Add(DataCommand.Create());
return root.Parse(args).Invoke();
