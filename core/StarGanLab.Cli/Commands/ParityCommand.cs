using System.CommandLine;
using Spectre.Console;
using StarGanLab.Kernels;
using StarGanLab.Native;
using StarGanLab.Parity;

namespace StarGanLab.Cli.Commands;

/// <summary>stargan parity --fixture DIR: our numbers against a folder made by running the official code.</summary>
static class ParityCommand
{
    public static Command Create()
    {
        var fixture = new Option<string>("--fixture") { Description = "fixture folder (layout of shared/parity/basic)", Required = true };
        var kernels = new Option<string>("--kernels") { DefaultValueFactory = _ => KernelSetting.Auto, Description = "auto | native | padded (see stargan doctor)" };
        var json = new Option<string?>("--json") { Description = "also write every check (group, name, errors, tolerance, result, note) to this JSON file" };
        var cmd = new Command("parity", "Compare our networks and training step with outputs of the official PyTorch code") { fixture, kernels, json };
        cmd.SetAction(r => CliErrors.Run(() => Run(r.GetValue(fixture)!, r.GetValue(kernels)!, r.GetValue(json))));
        return cmd;
    }

    static int Run(string dir, string kernels, string? jsonPath)
    {
        TorchRuntime.EnsureLoaded();
        var fx = new ParityFixture(dir);
        var verdict = KernelGuard.Ensure(fx.Model, kernels);
        AnsiConsole.MarkupLine($"kernels: {KernelSetting.Name(verdict.Route)}");
        var checks = ForwardParity.Run(fx);
        if (TrainingParity.Applies(fx)) checks.AddRange(TrainingParity.Run(fx, m => AnsiConsole.MarkupLine(Markup.Escape(m))));
        if (FanParity.Applies(fx)) checks.AddRange(FanParity.Run(fx, m => AnsiConsole.MarkupLine(Markup.Escape(m))));
        if (checks.Count == 0)
            throw new InvalidDataException($"{fx.Dir}: no comparable outputs found (expected checkpoints and .npy outputs as in shared/parity/basic)");

        AnsiConsole.MarkupLine($"fixture [bold]{Markup.Escape(fx.Name)}[/] ({Markup.Escape(fx.Dir)}): img_size {fx.Model.ImgSize}, {fx.Model.NumDomains} domains, width constant {fx.Model.WidthConst}, w_hpf {fx.Model.WHpf}");
        foreach (var group in checks.GroupBy(c => c.Group))
        {
            var table = new Table().Title(group.Key).AddColumns("output", "max abs err", "scale", "err / scale", "tolerance", "result", "note");
            foreach (var c in group)
                table.AddRow(c.Name, $"{c.MaxAbs:E2}", $"{c.Scale:E2}", $"{c.MaxRel:E2}", $"{c.Tolerance:E1}",
                             c.Pass ? "[green]PASS[/]" : "[red]FAIL[/]", Markup.Escape(c.Note));
            AnsiConsole.Write(table);
        }
        if (jsonPath != null)
            IO.AtomicFile.WriteAllText(jsonPath, System.Text.Json.JsonSerializer.Serialize(
                new { fixture = fx.Dir, kernels = KernelSetting.Name(verdict.Route), checks },
                new System.Text.Json.JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
                                                             NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        int failed = checks.Count(c => !c.Pass);
        AnsiConsole.MarkupLine(failed == 0 ? $"[green]all {checks.Count} checks PASS[/]" : $"[red]{failed} of {checks.Count} checks FAIL[/]");
        return failed == 0 ? 0 : 1;
    }
}
