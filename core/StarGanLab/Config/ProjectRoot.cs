namespace StarGanLab.Config;

/// <summary>The repository a config file lives in: configs may reach anything inside it through base: (presets in
/// configs/ablations and sweeps in configs/sweeps build on configs/quickstart.yaml), and runs record its git commit.</summary>
public static class ProjectRoot
{
    /// <summary>The nearest folder above <paramref name="path"/> holding .git (a folder, or a file in a worktree) or
    /// StarGanLab.sln; null outside any.</summary>
    public static string? Of(string path)
    {
        for (var d = new FileInfo(path).Directory; d != null; d = d.Parent)
            if (Directory.Exists(Path.Combine(d.FullName, ".git")) || File.Exists(Path.Combine(d.FullName, ".git"))
                || File.Exists(Path.Combine(d.FullName, "StarGanLab.sln"))) return d.FullName;
        return null;
    }
}
