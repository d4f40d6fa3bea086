using StarGanLab.Checkpoints;
using StarGanLab.Training;
using Xunit;
using StarGanLab.Runs;

namespace StarGanLab.Tests.Checkpoints;

public class ImportExportTests : TorchTest
{
    [ParityFact("basic")]
    public void Official_nets_import_then_export_is_bit_exact_and_the_architecture_is_inferred()
    {
        string root = Directory.CreateTempSubdirectory("import").FullName;
        string official = Fixtures.Parity("basic", "000001_nets.ckpt");
        var (model, ckpt) = OfficialConversion.Import(official, Path.Combine(root, "run"));
        Assert.Equal((32, 2, 16, 64, 256, 0.0), (model.ImgSize, model.NumDomains, model.LatentDim, model.StyleDim, model.WidthConst, model.WHpf));
        Assert.EndsWith("000001_nets.sgl", ckpt);

        string back = Path.Combine(root, "back.ckpt");
        OfficialConversion.Export(OfficialConversion.FindInRun(Path.Combine(root, "run"), null, TrainerCheckpoints.Nets), back);
        var a = OfficialCheckpoint.Read(official);
        var b = OfficialCheckpoint.Read(back);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (net, sd) in a)
        {
            Assert.Equal(sd.Keys.Order(), b[net].Keys.Order());
            foreach (var (key, t) in sd)
                Assert.True(t.eq(b[net][key]).all().item<bool>(), $"{net}.{key} changed in the round trip");
        }
    }

    [ParityFact("hpf")]
    public void Legacy_generator_file_imports_with_its_high_pass_weight()
    {
        string root = Directory.CreateTempSubdirectory("import").FullName;
        var (model, _) = OfficialConversion.Import(Fixtures.Parity("hpf", "000000_generator.legacy.ckpt"), Path.Combine(root, "g"));
        Assert.Equal((64, 1.0, 512), (model.ImgSize, model.WHpf, model.WidthConst));
    }

    [Fact]
    public void Importing_a_file_that_is_not_a_checkpoint_names_it()
    {
        string root = Directory.CreateTempSubdirectory("import").FullName;
        string junk = Path.Combine(root, "000100_nets_ema.ckpt");
        File.WriteAllText(junk, "definitely not a checkpoint");
        var ex = Assert.ThrowsAny<Exception>(() => OfficialConversion.Import(junk, Path.Combine(root, "x")));
        Assert.Contains("000100_nets_ema.ckpt", ex.Message);
        Assert.False(Directory.Exists(Path.Combine(root, "x")));
    }
}

public class HighPassExportTests : TorchTest
{
    [ParityFact("hpf")]
    public void High_pass_models_export_with_the_fan_entry_the_official_loader_requires()
    {
        string root = Directory.CreateTempSubdirectory("export").FullName;
        var (_, ckpt) = OfficialConversion.Import(Fixtures.Parity("hpf", "000000_generator.ckpt"), Path.Combine(root, "g"));
        var ex = Assert.Throws<CheckpointException>(() => OfficialConversion.Export(ckpt, Path.Combine(root, "no-fan.ckpt")));
        Assert.Contains("--wing", ex.Message);
        Assert.False(File.Exists(Path.Combine(root, "no-fan.ckpt")));

        string file = Path.Combine(root, "with-fan.ckpt");
        OfficialConversion.Export(ckpt, file, Fixtures.Parity("hpf", "wing.ckpt"));
        var back = OfficialCheckpoint.Read(file);
        Assert.Equal(["fan", "generator"], back.Keys.Order());
        Assert.Equal(OfficialCheckpoint.ReadStateDict(Fixtures.Parity("hpf", "wing.ckpt")).Count, back["fan"].Count);
    }
}
