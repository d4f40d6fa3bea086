using StarGanLab.Config;
using Xunit;
using static StarGanLab.Tests.Config.ConfigTestSupport;

namespace StarGanLab.Tests.Config;

/// <summary>base: is confined to the allowed root by where files really are, not by how their paths read (issue 17,
/// case 3): a link inside the project that points outside it is refused, naming the link and its target.</summary>
public sealed class BaseLinkTests : IDisposable
{
    readonly TempDir project = new(), outside = new();

    public void Dispose()
    {
        project.Dispose();
        outside.Dispose();
    }

    static ConfigException Refused(string config, string root) =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Load(config, options: new ConfigLoadOptions(AllowedRoot: root)));

    [Fact]
    public void A_base_file_that_is_a_link_to_a_file_outside_the_root_is_refused()
    {
        string secret = outside.Write("secret.yaml", "name: stolen\n");
        Directory.CreateDirectory(Path.Combine(project.Path, "configs"));
        File.CreateSymbolicLink(Path.Combine(project.Path, "configs", "shared.yaml"), secret);
        string config = project.Write("configs/evil.yaml", "base: shared.yaml\n" + Valid);
        var p = Assert.Single(Refused(config, project.Path).Problems);
        Assert.Equal("base", p.KeyPath);
        Assert.Contains($"'shared.yaml' resolves to {secret}", p.Message);
        Assert.Contains($"outside the allowed root {project.Path}", p.Message);
    }

    [Fact]
    public void A_base_reached_through_a_linked_folder_outside_the_root_is_refused()
    {
        string secret = outside.Write("etc/passwd.yaml", "name: stolen\n");
        Directory.CreateDirectory(Path.Combine(project.Path, "configs"));
        Directory.CreateSymbolicLink(Path.Combine(project.Path, "configs", "presets"), Path.Combine(outside.Path, "etc"));
        string config = project.Write("configs/evil.yaml", "base: presets/passwd.yaml\n" + Valid);
        Assert.Contains($"resolves to {secret}", Assert.Single(Refused(config, project.Path).Problems).Message);
    }

    [Fact]
    public void Links_that_stay_inside_the_root_and_a_root_reached_through_a_link_still_work()
    {
        project.Write("configs/base.yaml", "seed: 7\n");
        File.CreateSymbolicLink(Path.Combine(project.Path, "configs", "alias.yaml"), Path.Combine(project.Path, "configs", "base.yaml"));
        project.Write("configs/child.yaml", "base: alias.yaml\n" + Valid);
        string linkedProject = Path.Combine(outside.Path, "project-link");
        Directory.CreateSymbolicLink(linkedProject, project.Path);

        var cfg = ConfigLoader.Load(Path.Combine(linkedProject, "configs", "child.yaml"), options: new ConfigLoadOptions(AllowedRoot: linkedProject));
        Assert.Equal(7, cfg.Seed);
    }
}
