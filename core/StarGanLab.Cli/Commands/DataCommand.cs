using System.CommandLine;
using Spectre.Console;
using StarGanLab.Data;

namespace StarGanLab.Cli.Commands;

/// <summary>stargan data synth --out DIR [--per-domain N] [--domains D] [--img-size S] [--seed K] [--split train|val]</summary>
static class DataCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "folder to write (ImageFolder layout: DIR/<domain>/*.png plus factors.jsonl)", Required = true };
        var perDomain = new Option<int>("--per-domain") { DefaultValueFactory = _ => 1000 };
        var domains = new Option<int>("--domains") { DefaultValueFactory = _ => 3 };
        var imgSize = new Option<int>("--img-size") { DefaultValueFactory = _ => 64 };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 777 };
        var split = new Option<string>("--split") { DefaultValueFactory = _ => "train" };
        split.AcceptOnlyFromAmong("train", "val");
        var synth = new Command("synth", "Export the embedded synthetic data set") { output, perDomain, domains, imgSize, seed, split };
        synth.SetAction(r => CliErrors.Run(() =>
        {
            var opts = new SyntheticOptions(r.GetValue(domains), Math.Max(2, r.GetValue(perDomain)), r.GetValue(imgSize), r.GetValue(seed),
                                            ValPerDomain: Math.Max(0, r.GetValue(perDomain)));
            opts.Validate();
            var set = new SyntheticDomains(opts);
            set.Export(r.GetValue(output)!, r.GetValue(perDomain), r.GetValue(split) == "val" ? Split.Val : Split.Train);
            AnsiConsole.MarkupLine($"wrote {r.GetValue(perDomain)} images per domain ({string.Join(", ", set.DomainNames)}) to {Markup.Escape(r.GetValue(output)!)}");
            return 0;
        }));
        var cmd = new Command("data", "Data set tools") { synth };
        return cmd;
    }
}
