using System.CommandLine;
using System.Diagnostics;
using Spectre.Console;
using StarGanLab.Config;
using StarGanLab.Kernels;
using StarGanLab.Native;

namespace StarGanLab.Cli.Commands;

/// <summary>stargan doctor [CONFIG] [--set k=v]... [--fresh]: the kernel self-check of a config's networks, both
/// routes side by side, and the route the lab takes.</summary>
static class DoctorCommand
{
    // Without a config: the quickstart's networks (32 px, 3 domains, widths 16 to 64).
    static readonly ModelConfig QuickstartModel = new(ImgSize: 32, NumDomains: 3, WidthConst: 512, MaxConvDim: 64);

    public static Command Create()
    {
        var config = new Argument<string?>("config") { Arity = ArgumentArity.ZeroOrOne, Description = "experiment YAML whose networks are checked (default: the quickstart's)" };
        var set = new Option<string[]>("--set") { Description = "override a config key (repeatable), e.g. --set model.width_const=384" };
        var fresh = new Option<bool>("--fresh") { Description = "run the check again instead of reading the cached verdict" };
        var cmd = new Command("doctor", "Check libtorch's kernels against float64 on this CPU for a config's networks, and show the route taken") { config, set, fresh };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            string? path = r.GetValue(config);
            var cfg = path is null ? new ExperimentConfig("doctor") { Model = QuickstartModel }
                : ConfigLoader.Load(path, r.GetValue(set) ?? [], new ConfigLoadOptions(AllowedRoot: ProjectRoot.Of(path)));
            TorchRuntime.Initialize("cpu", cfg.Threads);
            AnsiConsole.MarkupLine($"cpu      {Markup.Escape(KernelFingerprint.Cpu.Split(" | ")[0])}{(KernelFingerprint.HasVp2Intersect ? " (avx512_vp2intersect: a Zen 5 part)" : "")}");
            AnsiConsole.MarkupLine($"libtorch {Markup.Escape(TorchRuntime.NativeDirectory ?? "")}, {TorchSharp.torch.get_num_threads()} threads, ISA caps: {Markup.Escape(KernelFingerprint.IsaSetting())}");
            AnsiConsole.MarkupLine($"model    {Markup.Escape(cfg.Model.ToString())}");

            var watch = Stopwatch.StartNew();
            var precision = cfg.Train.Precision;
            var native = KernelGuard.Results(cfg.Model, ConvRoute.Native, r.GetValue(fresh), precision);
            var padded = KernelGuard.Results(cfg.Model, ConvRoute.Padded, r.GetValue(fresh), precision);
            double seconds = watch.Elapsed.TotalSeconds;

            var table = new Table().AddColumns("op", "shape (batch 3)", "native fwd / bwd / 2nd", "padded fwd / bwd / 2nd");
            foreach (var (n, p) in native.Zip(padded))
                table.AddRow(n.Case.Family, Markup.Escape(n.Case.Shape), Cell(n), Cell(p));
            AnsiConsole.Write(table);
            AnsiConsole.MarkupLine($"errors are max |float32 - float64| / max |float64|; tolerance {KernelSelfCheck.Tolerance:0e0}" +
                                   (precision == ComputePrecision.Bf16 ? $" (conv2d bf16: {KernelSelfCheck.Bf16Tolerance:0e0}, forward and backward; R1's double backward runs in float32)" : "") +
                                   $"; {seconds:F2} s");
            AnsiConsole.MarkupLine($"native: {Markup.Escape(KernelGuard.Describe(native))}");
            AnsiConsole.MarkupLine($"padded: {Markup.Escape(KernelGuard.Describe(padded))}");
            var verdict = KernelGuard.Ensure(cfg.Model, cfg.Kernels, precision);
            AnsiConsole.MarkupLine($"route:  [bold]{KernelSetting.Name(verdict.Route)}[/] (kernels: {Markup.Escape(cfg.Kernels)}{(verdict.Forced ? ", chosen by hand" : "")})" +
                                   (verdict.Sound ? " [green]correct[/]" : " [red]WRONG KERNELS[/]"));
            return verdict.Sound ? 0 : 1;
        }));
        return cmd;
    }

    static string Cell(KernelCaseResult r)
    {
        string second = r.Case.Family == KernelSelfCheck.Bf16Family ? "-" : $"{r.DoubleBackward:0.0e0}";   // not run in bfloat16
        string text = $"{r.Forward:0.0e0} / {r.Backward:0.0e0} / {second}";
        return r.Pass ? text : $"[red]{text}[/]";
    }
}
