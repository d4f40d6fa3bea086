using System.CommandLine;

namespace StarGanLab.Cli.Commands;

/// <summary>--data DIR: train or evaluate on an image folder (one sub-folder per domain) without editing the config.</summary>
static class DataOption
{
    public static Option<string?> Create() =>
        new("--data") { Description = "image folder, one sub-folder per domain (sets data.source folder and data.root DIR)" };

    /// <summary>The overrides --data stands for; none when it was not given.</summary>
    public static IReadOnlyList<string> Overrides(string? dir) =>
        dir is null ? [] : ["data.source=folder", $"data.root={Path.GetFullPath(dir)}"];
}
