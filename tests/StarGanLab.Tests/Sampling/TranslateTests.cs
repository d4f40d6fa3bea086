using SkiaSharp;
using StarGanLab.Runs;
using StarGanLab.Sampling;
using StarGanLab.Tests.Cli;
using Xunit;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Sampling;

public class TranslateTests(SamplingRun run) : TorchTest, IClassFixture<SamplingRun>
{
    string Src => Directory.GetFiles(Path.Combine(run.SrcDir, "cat"), "*.png").Order(StringComparer.Ordinal).First();
    string Ref => Directory.GetFiles(Path.Combine(run.RefDir, "dog"), "*.png").Order(StringComparer.Ordinal).First();

    [Fact]
    public void Latent_translation_is_a_function_of_the_seed_and_reference_translation_of_the_reference()
    {
        using var model = TrainedModel.Load(run.RunDir);
        var x = SampleImages.LoadFile(Src, SamplingRun.Size, 1 << 20, "--src");
        var a = Translator.ByLatent(model, x, 1, seed: 3, psi: 1);
        Assert.Equal(new long[] { 1, 3, SamplingRun.Size, SamplingRun.Size }, a.shape);
        Assert.True(a.eq(Translator.ByLatent(model, x, 1, seed: 3, psi: 1)).all().item<bool>());
        Assert.False(a.eq(Translator.ByLatent(model, x, 1, seed: 4, psi: 1)).all().item<bool>());
        // psi 0: every seed gives the domain's average style, so one image
        Assert.True(Translator.ByLatent(model, x, 1, 3, 0).allclose(Translator.ByLatent(model, x, 1, 4, 0), rtol: 0, atol: 1e-6));

        var r = SampleImages.LoadFile(Ref, SamplingRun.Size, 1 << 20, "--ref");
        using var _ = no_grad();
        var expected = model.Nets.Generator.forward(x, model.Nets.StyleEncoder!.call(r, tensor(new long[] { 1 })));
        Assert.True(Translator.ByReference(model, x, r, 1).eq(expected).all().item<bool>());
    }

    [Fact]
    public void Unknown_domain_lists_the_run_domains_and_labels_work_too()
    {
        using var model = TrainedModel.Load(run.RunDir);
        var domains = RunDomains.Of(model.Config);
        Assert.Equal(["cat", "dog", "wild"], domains.Names!);
        Assert.Equal(2, domains.Resolve("wild"));
        Assert.Equal(1, domains.Resolve("1"));
        var e = Assert.Throws<ArgumentException>(() => domains.Resolve("cow"));
        Assert.Equal("unknown domain 'cow': the run's domains are cat, dog, wild", e.Message);
        Assert.Throws<ArgumentException>(() => domains.Resolve("3"));
        var unnamed = new RunDomains(2, null);
        Assert.Equal(1, unnamed.Resolve("1"));
        Assert.Contains("0..1", Assert.Throws<ArgumentException>(() => unnamed.Resolve("male")).Message);
    }

    [Fact]
    public void Cli_translate_writes_a_seeded_png_of_the_model_size_and_infers_the_reference_domain()
    {
        string dir = Directory.CreateTempSubdirectory("translate").FullName;
        string a = Path.Combine(dir, "a.png"), b = Path.Combine(dir, "b.png"), c = Path.Combine(dir, "c.png");
        var first = Stargan("--src", Src, "--domain", "wild", "--seed", "5", "--out", a);
        Assert.True(first.Exit == 0, first.Output);
        var again = Stargan("--src", Src, "--domain", "wild", "--seed", "5", "--out", b);
        Assert.True(again.Exit == 0, again.Output);
        using (var image = SKBitmap.Decode(a))
            Assert.Equal((SamplingRun.Size, SamplingRun.Size), (image.Width, image.Height));
        Assert.Equal(Pixels(a), Pixels(b));

        var byRef = Stargan("--src", Src, "--ref", Ref, "--out", c);   // domain from the reference's folder, dog
        Assert.True(byRef.Exit == 0, byRef.Output);
        Assert.Contains("(dog)", byRef.Output);
        Assert.True(File.Exists(c));
    }

    [Fact]
    public void Cli_translate_errors_name_the_missing_file_and_the_domains()
    {
        string missing = Path.Combine(run.Root, "nowhere", "cat.jpg");
        var (exit, output) = Stargan("--src", missing, "--domain", "dog", "--out", Path.Combine(run.Root, "x.png"));
        Assert.Equal(2, exit);
        Assert.Contains(missing, output);
        Assert.DoesNotContain("   at ", output);

        (exit, output) = Stargan("--src", Src, "--domain", "cow", "--out", Path.Combine(run.Root, "x.png"));
        Assert.Equal(2, exit);
        Assert.Contains("unknown domain 'cow': the run's domains are cat, dog, wild", output);
    }

    (int Exit, string Output) Stargan(params string[] args) =>
        StarganProcess.Run(Fixtures.RepoRoot, ["translate", "--run", run.RunDir, .. args]);

    static byte[] Pixels(string png)
    {
        using var bitmap = SKBitmap.Decode(png);
        return bitmap.Bytes;
    }
}
