namespace StarGanLab.Sampling;

/// <summary>The official interpolation video timing (core/utils.py get_alphas): per transition one frame at 0, a
/// sigmoid ease over -5..4.5 in steps of 0.5 (20 frames), then 10 frames held at 1; the whole video ends with its
/// last frame 10 more times. Frames are shown at half the 25 fps ffmpeg reads raw video at (setpts 2*PTS).</summary>
public static class InterpolationSchedule
{
    public const int TailFrames = 10;
    public const int EndHoldFrames = 10;

    /// <summary>Seconds each frame is shown: rawvideo's default 25 fps slowed down twice.</summary>
    public const double FrameSeconds = 2.0 / 25;

    /// <summary>The mixing weights of one transition, in order (31 values).</summary>
    public static IReadOnlyList<double> Alphas { get; } = Build();

    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    /// <summary>Frames of a video with <paramref name="transitions"/> transitions (0 transitions: no video).</summary>
    public static int FrameCount(int transitions) => transitions == 0 ? 0 : transitions * Alphas.Count + EndHoldFrames;

    static double[] Build()
    {
        var alphas = new List<double> { 0 };
        // -5 + 0.5 k for k < 20: the values numpy's arange(-5, 5, 0.5) yields.
        for (int k = 0; k < 20; k++) alphas.Add(Sigmoid(-5 + 0.5 * k));
        alphas.AddRange(Enumerable.Repeat(1.0, TailFrames));
        return alphas.ToArray();
    }
}
