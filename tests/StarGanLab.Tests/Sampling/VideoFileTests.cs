using System.Diagnostics;
using System.Globalization;
using SkiaSharp;
using StarGanLab.Sampling;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Sampling;

/// <summary>A [Fact] that needs ffmpeg and ffprobe on PATH (Debian: apt-get install --no-install-recommends ffmpeg).</summary>
public sealed class FfmpegFactAttribute : FactAttribute
{
    public FfmpegFactAttribute()
    {
        if (FfmpegFrameSink.Find() == null) Skip = "ffmpeg is not on PATH, so the MP4 path cannot run (the GIF path is tested without it)";
    }
}

public class VideoFileTests : TorchTest
{
    static void Frames(IFrameSink sink, int count, int h, int w)
    {
        var rng = new torch.Generator(7);
        for (int i = 0; i < count; i++)
        {
            using var frame = rand([3, h, w], generator: rng) * 2 - 1;
            sink.Add(frame);
        }
    }

    [Fact]
    public void Gif_holds_every_frame_at_the_official_pace_and_decodes_back_to_the_pixels()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("gif").FullName, "v.gif");
        var rng = new torch.Generator(1);
        // flat colours survive a 256-colour palette exactly, so the decoded pixels can be compared
        var colours = Enumerable.Range(0, 5).Select(i => (float)(i / 2.0 - 1)).ToArray();
        int frames = VideoFile.Write(path, VideoFormat.Gif, sink =>
        {
            foreach (float c in colours) { using var f = full([3, 6, 10], c); sink.Add(f); }
        });
        Assert.Equal(5, frames);
        using var codec = SKCodec.Create(path);
        Assert.Equal((5, 10, 6), (codec.FrameCount, codec.Info.Width, codec.Info.Height));
        for (int i = 0; i < 5; i++)
        {
            using var bitmap = new SKBitmap(codec.Info.WithColorType(SKColorType.Rgba8888).WithAlphaType(SKAlphaType.Unpremul));
            Assert.Equal(SKCodecResult.Success, codec.GetPixels(bitmap.Info, bitmap.GetPixels(), new SKCodecOptions(i)));
            byte expected = (byte)Math.Round((colours[i] + 1) * 127.5);
            Assert.Equal((expected, expected, expected), (bitmap.GetPixel(9, 5).Red, bitmap.GetPixel(9, 5).Green, bitmap.GetPixel(9, 5).Blue));
        }
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, ".*"));   // no temporary file left
    }

    [Fact]
    public void A_frame_of_another_size_is_refused_and_no_gif_is_left_behind()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("gif").FullName, "v.gif");
        var e = Assert.Throws<ArgumentException>(() => VideoFile.Write(path, VideoFormat.Gif, sink =>
        {
            Frames(sink, 2, 6, 10);
            Frames(sink, 1, 6, 12);
        }));
        Assert.Contains("12x6", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(path)!));
    }

    [FfmpegFact]
    public void Mp4_through_ffmpeg_has_even_size_and_the_official_duration()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("mp4").FullName, "v.mp4");
        int frames = VideoFile.Write(path, VideoFormat.Mp4, sink => Frames(sink, 25, 10, 15));   // odd width: padded to 16
        Assert.Equal(25, frames);
        string probe = Probe(path);
        Assert.Contains("codec_name=h264", probe);
        Assert.Contains("width=16", probe);
        Assert.Contains("height=10", probe);
        Assert.Contains("pix_fmt=yuv420p", probe);
        // 25 frames read at 25 fps and slowed down twice: 2 seconds
        double seconds = double.Parse(probe.Split('\n').First(l => l.StartsWith("duration=")).Split('=')[1], CultureInfo.InvariantCulture);
        Assert.InRange(seconds, 1.9, 2.1);
        Assert.Single(Directory.GetFileSystemEntries(Path.GetDirectoryName(path)!));   // ffmpeg's own temporary file is gone
    }

    static string Probe(string path)
    {
        var psi = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=codec_name,width,height,pix_fmt,duration", "-of", "default=noprint_wrappers=1", path })
            psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return output;
    }
}
