using StarGanLab.Config;
using Xunit;

namespace StarGanLab.Tests.Config;

public class ProjectRootTests
{
    [Fact]
    public void A_preset_resolves_to_the_repository_so_its_base_one_folder_up_is_allowed()
    {
        string preset = Path.Combine(Fixtures.RepoRoot, "configs", "ablations", "C.yaml");
        Assert.Equal(Path.GetFullPath(Fixtures.RepoRoot).TrimEnd('/'), ProjectRoot.Of(preset));
        var cfg = ConfigLoader.Load(preset, [], new ConfigLoadOptions(AllowedRoot: ProjectRoot.Of(preset)));
        Assert.Equal(StyleCode.Domain, cfg.Model.StyleSource);
    }

    [Fact]
    public void Outside_any_repository_there_is_no_root()
    {
        string dir = Directory.CreateTempSubdirectory("no-repo").FullName;
        Assert.Null(ProjectRoot.Of(Path.Combine(dir, "x.yaml")));
    }
}
