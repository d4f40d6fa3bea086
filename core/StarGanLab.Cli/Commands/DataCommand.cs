using System.CommandLine;
using Spectre.Console;
using StarGanLab.Data;

namespace StarGanLab.Cli.Commands;

/// <summary>stargan data synth --out DIR [--per-domain N] [--domains D] [--img-size S] [--seed K] [--split train|val];
/// data check DIR; data prepare ARCHIVE --out DIR [--cache-size N]; data cache DIR --size N. See docs/data.md.</summary>
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
        var cmd = new Command("data", "Data set tools") { synth, Check(), Prepare(), Cache() };
        return cmd;
    }

    static Option<string> DatasetOption()
    {
        var o = new Option<string>("--dataset") { Description = "which data set: auto (by its split and domain folders), afhq, afhq_v2 or celeba_hq", DefaultValueFactory = _ => "auto" };
        o.AcceptOnlyFromAmong(["auto", .. PublishedDatasets.All.Select(s => s.Name)]);
        return o;
    }

    static DatasetSpec? Spec(string name) => name == "auto" ? null : PublishedDatasets.Named(name);

    static Option<int> ListOption() => new("--list") { Description = "offending files to list", DefaultValueFactory = _ => 20 };

    /// <summary>stargan data check DIR [--dataset D] [--list N] [--threads N]: exit 0 when clean, 1 with problems, 2 on errors.</summary>
    static Command Check()
    {
        var dir = new Argument<string>("DIR") { Description = "the unpacked data set (the folder with train/ and val/ or test/, or the one folder around them)" };
        var dataset = DatasetOption();
        var list = ListOption();
        var threads = new Option<int>("--threads") { Description = "images inspected at once (0: one per core)", DefaultValueFactory = _ => 0 };
        var cmd = new Command("check", "Check a data set's layout, published counts and images (corrupt, duplicate, grayscale, wrong size, in both train and val)")
            { dir, dataset, list, threads };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var options = new DatasetCheckOptions(Threads: r.GetValue(threads));
            var report = DataReportView.WithProgress(p => DatasetCheck.Run(r.GetValue(dir)!, Spec(r.GetValue(dataset)!), options,
                                                                           p is null ? null : (done, total) => p("inspecting images", done, total)));
            DataReportView.Print(report, r.GetValue(list));
            return report.Clean ? 0 : 1;
        }));
        return cmd;
    }

    /// <summary>stargan data prepare ARCHIVE --out DIR [--cache-size N] [--force] [--dataset D]</summary>
    static Command Prepare()
    {
        var archive = new Argument<string>("ARCHIVE") { Description = "the downloaded zip (afhq.zip, afhq_v2.zip, celeba_hq.zip)" };
        var output = new Option<string>("--out") { Description = "folder to unpack into (as download.sh's 'unzip -d ./data')", Required = true };
        var cacheSize = new Option<int?>("--cache-size") { Description = "also write a resized cache at this size (model.img_size, e.g. 256); training uses it by itself" };
        var force = new Option<bool>("--force") { Description = "replace files the folder already has" };
        var dataset = DatasetOption();
        var list = ListOption();
        var cmd = new Command("prepare", "Unpack a downloaded data set archive safely, check it, and optionally write a resized cache")
            { archive, output, cacheSize, force, dataset, list };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            if (r.GetValue(cacheSize) is < 1) throw new ArgumentException($"--cache-size {r.GetValue(cacheSize)}: expected a positive image size, e.g. 256");
            var options = new PrepareOptions(Force: r.GetValue(force), CacheSize: r.GetValue(cacheSize), Spec: Spec(r.GetValue(dataset)!));
            var result = DataReportView.WithProgress(p => DatasetPrepare.Run(r.GetValue(archive)!, r.GetValue(output)!, options, p));
            AnsiConsole.MarkupLine($"unpacked {result.Unpacked.Files} files ({result.Unpacked.Bytes / 1e6:F1} MB) into {Markup.Escape(result.Unpacked.Destination)}: " +
                                   Markup.Escape(string.Join(", ", result.Unpacked.TopLevel)));
            DataReportView.Print(result.Report, r.GetValue(list));
            foreach (string c in result.CacheFolders) AnsiConsole.MarkupLine($"wrote the resized cache {Markup.Escape(c)}");
            if (result.CacheSkipped is { } why) AnsiConsole.MarkupLine($"[yellow]no resized cache written:[/] {Markup.Escape(why)}");
            if (result.Report.Spec is { Config: { } config, Splits: [var train, var val, ..] })
                AnsiConsole.MarkupLine($"train with {Markup.Escape(config)} --set data.root={Markup.Escape(Path.Combine(result.Report.Root, train))} " +
                                       $"--set data.val_root={Markup.Escape(Path.Combine(result.Report.Root, val))}");
            return result.Report.Clean ? 0 : 1;
        }));
        return cmd;
    }

    /// <summary>stargan data cache DIR... --size N: a data set folder (every split) or an ImageFolder root (one split).</summary>
    static Command Cache()
    {
        var dirs = new Argument<string[]>("DIR") { Description = "a data set folder (caches every split) or an image folder with one sub-folder per domain", Arity = ArgumentArity.OneOrMore };
        var size = new Option<int>("--size") { Description = "image side of the cache: model.img_size of the config that trains on it", Required = true };
        var dataset = DatasetOption();
        var cmd = new Command("cache", "Write the resized cache training uses when model.img_size equals its size") { dirs, size, dataset };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            int n = r.GetValue(size);
            if (n < 1) throw new ArgumentException($"--size {n}: expected a positive image size, e.g. 256");
            foreach (string dir in r.GetValue(dirs)!)
            {
                IReadOnlyList<string> written = DataReportView.WithProgress(p =>
                {
                    if (LocateDataset(dir, Spec(r.GetValue(dataset)!)) is var (root, spec))
                        return DatasetPrepare.WriteCaches(root, spec, n, p);
                    return (IReadOnlyList<string>)[ResizedCache.Write(dir, n, progress: p is null ? null : (done, total) => p("cache", done, total))];
                });
                foreach (string c in written) AnsiConsole.MarkupLine($"wrote the resized cache {Markup.Escape(c)}");
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>The data set at <paramref name="dir"/>, or null when it is not one (then it is taken as an image folder).</summary>
    static (string Root, DatasetSpec Spec)? LocateDataset(string dir, DatasetSpec? spec)
    {
        try
        {
            return DatasetLocator.Locate(dir, spec, PublishedDatasets.All);
        }
        catch (DataException) when (spec is null)
        {
            return null;
        }
    }
}
