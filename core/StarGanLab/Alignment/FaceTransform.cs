namespace StarGanLab.Alignment;

/// <summary>The similarity transform of the official align mode (core/wing.py FaceAligner.landmarks2mat): move the
/// landmarks' centroid to the origin, rotate the face's x axis (from the eyes and mouth corners, as in PGGAN's
/// CelebA-HQ alignment) onto the reference's, scale by the mean distance ratio of the eye centres and mouth corners
/// to the centroid, and move to the reference centroid. Landmarks are (98, 2) in the 98-point WFLW layout,
/// (x = column, y = row) in pixels. Matrices are 3x3 row-major, mapping source pixels to aligned pixels.</summary>
public static class FaceTransform
{
    const int LeftEyeCentre = 96, RightEyeCentre = 97, MouthLeft = 76, MouthRight = 82;
    static readonly int[] LeftEye = [.. Enumerable.Range(60, 8), LeftEyeCentre];
    static readonly int[] RightEye = [.. Enumerable.Range(68, 8), RightEyeCentre];
    static readonly int[] ScalePoints = [LeftEyeCentre, RightEyeCentre, MouthLeft, MouthRight];

    /// <exception cref="ArgumentException">Either set of landmarks is not finite or is degenerate (see <see cref="Problem"/>).</exception>
    public static double[,] Estimate(double[,] landmarks, double[,] reference)
    {
        foreach (var (points, what) in new[] { (landmarks, "landmarks"), (reference, "reference landmarks") })
            if (Problem(points) is { } problem) throw new ArgumentException($"the {what} are {problem}");
        var (mean, refMean) = (Mean(landmarks), Mean(reference));
        var (c, s) = Rotation(XAxis(landmarks), XAxis(reference));
        double scale = ScalePoints.Average(i => Norm(Sub(Row(reference, i), refMean)) / Norm(Sub(Row(landmarks, i), mean)));
        // T_ref * S * R * T_origin, multiplied out
        double a = scale * c, b = -scale * s, d = scale * s, e = scale * c;
        return new double[,]
        {
            { a, b, refMean.X - (a * mean.X + b * mean.Y) },
            { d, e, refMean.Y - (d * mean.X + e * mean.Y) },
            { 0, 0, 1 },
        };
    }

    public static (double X, double Y) Apply(double[,] m, (double X, double Y) p)
    {
        double w = m[2, 0] * p.X + m[2, 1] * p.Y + m[2, 2];
        return ((m[0, 0] * p.X + m[0, 1] * p.Y + m[0, 2]) / w, (m[1, 0] * p.X + m[1, 1] * p.Y + m[1, 2]) / w);
    }

    /// <summary>Why no transform can be estimated from <paramref name="landmarks"/>, or null: a NaN or infinite point
    /// (NaN would reach Math.Sign, which throws), or eyes and mouth corners that coincide (all zero, say), which leave
    /// the face's axis and scale undefined.</summary>
    public static string? Problem(double[,] landmarks)
    {
        for (int i = 0; i < landmarks.GetLength(0); i++)
            if (!double.IsFinite(landmarks[i, 0]) || !double.IsFinite(landmarks[i, 1]))
                return $"not finite (point {i} is ({landmarks[i, 0]}, {landmarks[i, 1]}))";
        var mean = Mean(landmarks);
        if (Norm(UnnormalisedXAxis(landmarks)) < Tiny || ScalePoints.Any(i => Norm(Sub(Row(landmarks, i), mean)) < Tiny))
            return "degenerate: the eyes and mouth corners coincide (all zero?), so the face has no direction or size";
        return null;
    }

    const double Tiny = 1e-9;

    /// <summary>The unit x axis of a face: eye-to-eye direction minus the eye-to-mouth direction turned by 90 degrees.</summary>
    static (double X, double Y) XAxis(double[,] lm)
    {
        var axis = UnnormalisedXAxis(lm);
        double n = Norm(axis);
        return (axis.X / n, axis.Y / n);
    }

    static (double X, double Y) UnnormalisedXAxis(double[,] lm)
    {
        var eyeLeft = Mean(lm, LeftEye);
        var eyeRight = Mean(lm, RightEye);
        var xp = Sub(eyeRight, eyeLeft);
        var eyeCentre = Mid(eyeLeft, eyeRight);
        var mouthCentre = Mid(Row(lm, MouthLeft), Row(lm, MouthRight));
        var yp = Sub(eyeCentre, mouthCentre);
        return (xp.X - yp.Y, xp.Y + yp.X);   // xp - rotate90(yp), rotate90(x, y) = (y, -x)
    }

    /// <summary>cos and sin of the angle turning <paramref name="from"/> onto <paramref name="to"/> (official vecs2R).</summary>
    static (double C, double S) Rotation((double X, double Y) from, (double X, double Y) to)
    {
        double c = from.X * to.X + from.Y * to.Y;
        double cross = from.X * to.Y - from.Y * to.X;
        // max(0, .): rounding can push c past 1, where the official sqrt gives NaN
        return (c, Math.Sqrt(Math.Max(0, 1 - c * c)) * Math.Sign(cross));
    }

    static (double X, double Y) Row(double[,] lm, int i) => (lm[i, 0], lm[i, 1]);
    static (double X, double Y) Mean(double[,] lm) => Mean(lm, Enumerable.Range(0, lm.GetLength(0)).ToArray());
    static (double X, double Y) Mean(double[,] lm, int[] idx) => (idx.Average(i => lm[i, 0]), idx.Average(i => lm[i, 1]));
    static (double X, double Y) Sub((double X, double Y) a, (double X, double Y) b) => (a.X - b.X, a.Y - b.Y);
    static (double X, double Y) Mid((double X, double Y) a, (double X, double Y) b) => ((a.X + b.X) * 0.5, (a.Y + b.Y) * 0.5);
    static double Norm((double X, double Y) v) => Math.Sqrt(v.X * v.X + v.Y * v.Y);
}
