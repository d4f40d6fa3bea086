using System.Diagnostics;
using System.Globalization;
using static TorchSharp.torch;

namespace StarGanLab.Sampling;

/// <summary>
/// Pipes raw RGB frames into an ffmpeg child process that writes an H.264 MP4 (yuv420p), as the official save_video:
/// rawvideo read at ffmpeg's default 25 fps, slowed down twice (setpts 2*PTS), written at 30 fps. yuv420p needs even
/// sizes, so an odd width or height gets one black column or row. Only one frame is in memory at a time.
/// </summary>
public sealed class FfmpegFrameSink(string ffmpeg, string outputPath) : IFrameSink, IDisposable
{
    Process? process;
    Task<string>? stderr;
    int width, height;

    public int Frames { get; private set; }

    /// <summary>The ffmpeg executable on PATH, or null.</summary>
    public static string? Find()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, OperatingSystem.IsWindows() ? "ffmpeg.exe" : "ffmpeg");
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    public void Add(Tensor frame)
    {
        int h = (int)frame.size(1), w = (int)frame.size(2);
        if (process == null) Start(w, h);
        else if (w != width || h != height)
            throw new ArgumentException($"frame {Frames} is {w}x{h}, but the video's first frame was {width}x{height}");
        byte[] rgb = ImageGrid.ToRgb24(frame.unsqueeze(0));
        try
        {
            process!.StandardInput.BaseStream.Write(rgb);
        }
        catch (IOException e)
        {
            throw new IOException($"ffmpeg stopped taking frames for {outputPath}: {Failure()}", e);
        }
        Frames++;
    }

    /// <summary>Closes ffmpeg's input and waits for it to write the file; a failure names ffmpeg's own message.</summary>
    public void Finish()
    {
        if (process == null) throw new InvalidOperationException("a video needs at least one frame");
        process.StandardInput.Close();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new IOException($"ffmpeg could not write {outputPath} (exit code {process.ExitCode}): {Failure()}");
    }

    void Start(int w, int h)
    {
        (width, height) = (w, h);
        var psi = new ProcessStartInfo(ffmpeg)
        {
            RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        string[] args =
        [
            "-hide_banner", "-loglevel", "error", "-y",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", string.Create(CultureInfo.InvariantCulture, $"{w}x{h}"), "-i", "pipe:0",
            "-vf", "setpts=2*PTS,pad=ceil(iw/2)*2:ceil(ih/2)*2",
            "-c:v", "libx264", "-pix_fmt", "yuv420p", "-r", "30", "-f", "mp4", outputPath,
        ];
        foreach (string a in args) psi.ArgumentList.Add(a);
        process = Process.Start(psi) ?? throw new IOException($"could not start {ffmpeg}");
        // Drained concurrently: a child blocked on a full stderr pipe would stop reading frames.
        stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
    }

    string Failure()
    {
        if (process is { HasExited: false }) process.WaitForExit(5000);
        string text = stderr is { IsCompleted: true } ? stderr.Result.Trim() : "";
        return text.Length == 0 ? "no message" : text.Length > 2000 ? text[^2000..] : text;
    }

    /// <summary>Ends ffmpeg if it is still running (a failed or abandoned video).</summary>
    public void Dispose()
    {
        if (process == null) return;
        if (!process.HasExited)
        {
            try { process.Kill(); process.WaitForExit(); }
            catch (InvalidOperationException) { /* exited meanwhile */ }
        }
        process.Dispose();
    }
}
