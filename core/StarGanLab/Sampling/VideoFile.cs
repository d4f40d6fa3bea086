namespace StarGanLab.Sampling;

public enum VideoFormat { Mp4, Gif }

/// <summary>Writes a video file from frames produced one at a time: MP4 through ffmpeg, or an animated GIF.
/// Like every file of the lab it appears complete or not at all (written beside, then renamed).</summary>
public static class VideoFile
{
    /// <summary>MP4 when ffmpeg is on PATH (as the official code writes), else GIF, which needs nothing installed.</summary>
    public static VideoFormat Default() => FfmpegFrameSink.Find() != null ? VideoFormat.Mp4 : VideoFormat.Gif;

    public static string Extension(VideoFormat format) => format == VideoFormat.Mp4 ? ".mp4" : ".gif";

    /// <summary>Runs <paramref name="produce"/> against a sink writing <paramref name="path"/>; returns the frame count.</summary>
    public static int Write(string path, VideoFormat format, Action<IFrameSink> produce)
    {
        int frames = 0;
        if (format == VideoFormat.Gif)
        {
            int delay = (int)Math.Round(InterpolationSchedule.FrameSeconds * 100);
            IO.AtomicFile.Write(path, fs =>
            {
                var sink = new GifFrameSink(fs, delay);
                produce(sink);
                sink.Finish();
                frames = sink.Frames;
            });
            return frames;
        }

        string ffmpeg = FfmpegFrameSink.Find()
            ?? throw new InvalidOperationException("MP4 videos need ffmpeg on PATH (e.g. apt-get install ffmpeg); without it, write GIF");
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        // ffmpeg writes a file of its own beside the target (MP4 needs a seekable output), which is then copied in.
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.ffmpeg.mp4");
        try
        {
            using (var sink = new FfmpegFrameSink(ffmpeg, temp))
            {
                produce(sink);
                sink.Finish();
                frames = sink.Frames;
            }
            IO.AtomicFile.Write(full, fs => { using var encoded = File.OpenRead(temp); encoded.CopyTo(fs); });
        }
        finally
        {
            File.Delete(temp);
        }
        return frames;
    }
}
