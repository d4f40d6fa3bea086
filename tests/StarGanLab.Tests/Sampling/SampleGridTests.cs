using SkiaSharp;
using StarGanLab.Runs;
using StarGanLab.Sampling;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Sampling;

public class SampleGridTests(SamplingRun run) : TorchTest, IClassFixture<SamplingRun>
{
    const int S = SamplingRun.Size;

    [Fact]
    public void Sample_writes_the_official_reference_grid_latent_grid_and_gif_videos()
    {
        using var model = TrainedModel.Load(run.RunDir);
        string outDir = Path.Combine(run.Root, "results-lib");
        var paths = Sampler.Run(model, new SampleOptions(run.SrcDir, run.RefDir, outDir, OutsPerDomain: 2, Video: VideoFormat.Gif), _ => { });

        Assert.Equal(["reference.png", "latent_psi_1.0.png", "video_ref.gif", "video_latent.gif"], paths.Select(Path.GetFileName));
        // 6 sources (2 per domain), 9 references (3 per domain). Official translate_using_reference: a white corner,
        // the sources along the top, each reference down the left followed by the sources in its style.
        using var reference = SKBitmap.Decode(paths[0]);
        Assert.Equal(((6 + 1) * S, (9 + 1) * S), (reference.Width, reference.Height));
        Assert.All(Block(reference, 0, 0), b => Assert.Equal(255, b));
        var src = SampleImages.LoadFolder(run.SrcDir, RunDomains.Of(model.Config), S, 2, 1 << 20);
        var refs = SampleImages.LoadFolder(run.RefDir, RunDomains.Of(model.Config), S, 3, 1 << 20);
        Assert.Equal(Rgb(src.X[4]), Block(reference, 0, 5));            // top row: source 4 in column 5
        Assert.Equal(Rgb(refs.X[7]), Block(reference, 8, 0));           // left column: reference 7 in row 8
        Assert.Equal(new long[] { 0, 0, 0, 1, 1, 1, 2, 2, 2 }, refs.Y.data<long>().ToArray());

        // Latent grid (translate_using_latent): sources, then 3 domains x 2 codes rows, one column per source.
        using var latent = SKBitmap.Decode(paths[1]);
        Assert.Equal((6 * S, (1 + 3 * 2) * S), (latent.Width, latent.Height));
        Assert.Equal(Rgb(src.X[2]), Block(latent, 0, 2));

        // Videos: 3 same-domain reference pairs... per domain 2, so 6 transitions; latent: 3 domains x (2 - 1).
        AssertGif(paths[2], InterpolationSchedule.FrameCount(6), (int)InterpolationVideo.ReferenceFrameWidth(S, 6), 2 * S);
        AssertGif(paths[3], InterpolationSchedule.FrameCount(3), 6 * S, 2 * S);
    }

    [Fact]
    public void Psi_zero_gives_every_code_the_average_style_and_psi_one_is_untruncated()
    {
        using var model = TrainedModel.Load(run.RunDir);
        using var _ = no_grad();
        var rng = new torch.Generator(11);
        var z = Enumerable.Range(0, 4).Select(_ => randn([1, model.Config.Model.LatentDim], generator: rng)).ToArray();
        var avg = Truncation.StyleAverage(model.Nets, 1, rng);

        var s0 = Sampler.LatentStyles(model.Nets, z, 1, avg, 0);
        Assert.True(s0.eq(avg.expand_as(s0)).all().item<bool>());
        var x = zeros(1, 3, S, S);
        var outs = Enumerable.Range(0, 4).Select(i => model.Nets.Generator.forward(x, s0[i..(i + 1)])).ToArray();
        Assert.All(outs, o => Assert.True(o.eq(outs[0]).all().item<bool>()));

        var s1 = Sampler.LatentStyles(model.Nets, z, 1, avg, 1);
        var raw = model.Nets.MappingNetwork!.call(cat(z), full(4, 1, dtype: int64));
        Assert.True(s1.eq(raw).all().item<bool>());
        Assert.True(Truncation.Apply(avg, raw, 1).eq(raw).all().item<bool>());
        var half = Truncation.Apply(avg, raw, 0.5);
        Assert.True(half.allclose((avg + raw) / 2, rtol: 0, atol: 1e-6));
        Assert.False(s1[0].eq(s1[1]).all().item<bool>());
        Assert.Throws<ArgumentException>(() => Truncation.Validate(1.5));
    }

    [Fact]
    public void A_sample_folder_with_a_domain_the_run_lacks_names_the_folder_and_the_domains()
    {
        string bad = Path.Combine(run.Root, "bad-src");
        Directory.CreateDirectory(Path.Combine(bad, "cow"));
        File.Copy(Directory.GetFiles(Path.Combine(run.SrcDir, "cat"), "*.png")[0], Path.Combine(bad, "cow", "a.png"), overwrite: true);
        using var model = TrainedModel.Load(run.RunDir);
        var e = Assert.Throws<StarGanLab.Data.DataException>(() =>
            Sampler.Run(model, new SampleOptions(bad, run.RefDir, Path.Combine(run.Root, "unused"), Video: null), _ => { }));
        Assert.Contains(Path.Combine(bad, "cow"), e.Message);
        Assert.Contains("cat, dog, wild", e.Message);
    }

    static void AssertGif(string path, int frames, int width, int height)
    {
        using var codec = SKCodec.Create(path);
        Assert.NotNull(codec);
        // format, frames, size, loop count (-1: forever), each frame's duration in ms
        Assert.Equal((SKEncodedImageFormat.Gif, frames, width, height, -1),
                     (codec.EncodedFormat, codec.FrameCount, codec.Info.Width, codec.Info.Height, codec.RepetitionCount));
        Assert.All(codec.FrameInfo, f => Assert.Equal(80, f.Duration));
        // the last frame decodes too (the file is complete)
        using var bitmap = new SKBitmap(codec.Info.WithColorType(SKColorType.Rgba8888));
        Assert.Equal(SKCodecResult.Success, codec.GetPixels(bitmap.Info, bitmap.GetPixels(), new SKCodecOptions(frames - 1)));
    }

    static byte[] Rgb(Tensor chw) => ImageGrid.ToRgb24(chw.unsqueeze(0));

    /// <summary>The RGB bytes of grid cell (row, col).</summary>
    static byte[] Block(SKBitmap grid, int row, int col)
    {
        var bytes = new List<byte>();
        for (int y = 0; y < S; y++)
            for (int x = 0; x < S; x++)
            {
                var c = grid.GetPixel(col * S + x, row * S + y);
                bytes.AddRange([c.Red, c.Green, c.Blue]);
            }
        return bytes.ToArray();
    }
}
