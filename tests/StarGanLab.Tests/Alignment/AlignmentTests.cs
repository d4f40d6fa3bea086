using System.IO.Compression;
using System.Text;
using StarGanLab.Alignment;
using StarGanLab.Networks;
using Xunit;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Alignment;

public class AlignmentTests : TorchTest
{
    /// <summary>98 points scattered like a face's (what matters is that eyes and mouth corners are distinct).</summary>
    static double[,] Reference(double lo, double hi)
    {
        var rng = new Random(5);
        var p = new double[98, 2];
        for (int i = 0; i < 98; i++) { p[i, 0] = lo + rng.NextDouble() * (hi - lo); p[i, 1] = lo + rng.NextDouble() * (hi - lo); }
        return p;
    }

    /// <summary>Rotation by <paramref name="degrees"/> and scaling about <paramref name="centre"/>, then a shift.</summary>
    static double[,] Similarity(double degrees, double scale, (double X, double Y) centre, (double X, double Y) shift)
    {
        double t = degrees * Math.PI / 180, c = scale * Math.Cos(t), s = scale * Math.Sin(t);
        return new double[,]
        {
            { c, -s, centre.X + shift.X - c * centre.X + s * centre.Y },
            { s, c, centre.Y + shift.Y - s * centre.X - c * centre.Y },
            { 0, 0, 1 },
        };
    }

    static double[,] Map(double[,] m, double[,] points)
    {
        var r = new double[points.GetLength(0), 2];
        for (int i = 0; i < r.GetLength(0); i++) (r[i, 0], r[i, 1]) = FaceTransform.Apply(m, (points[i, 0], points[i, 1]));
        return r;
    }

    [Fact]
    public void The_transform_recovers_a_known_rotation_scale_and_shift_exactly()
    {
        var reference = Reference(80, 176);
        var src = Map(Similarity(-35, 0.6, (128, 128), (20, -12)), reference);
        var estimated = FaceTransform.Estimate(src, reference);
        var back = Map(estimated, src);
        for (int i = 0; i < 98; i++)
        {
            Assert.Equal(reference[i, 0], back[i, 0], 6);
            Assert.Equal(reference[i, 1], back[i, 1], 6);
        }
    }

    static Tensor Blob(long size, (double X, double Y) at, double sigma = 1.5)
    {
        var v = arange(size, dtype: float64).view(-1, 1);
        var u = arange(size, dtype: float64).view(1, -1);
        return exp(-((u - at.X).pow(2) + (v - at.Y).pow(2)) / (2 * sigma * sigma));
    }

    static (double X, double Y) Centroid(Tensor plane)
    {
        var w = plane.clamp_min(0);
        long n = plane.size(0);
        var v = arange(n, dtype: float64).view(-1, 1);
        var u = arange(n, dtype: float64).view(1, -1);
        double total = w.sum().item<double>();
        return ((w * u).sum().item<double>() / total, (w * v).sum().item<double>() / total);
    }

    [Fact]
    public void The_warp_moves_a_point_where_the_matrix_sends_it_within_a_hundredth_of_a_pixel()
    {
        var m = Similarity(30, 1.2, (48, 48), (4, -3));
        var image = Blob(96, (40, 44)).unsqueeze(0).repeat(3, 1, 1) * 255;
        var warped = ImageWarp.Apply(image, m, 96, 96);
        var want = FaceTransform.Apply(m, (40, 44));
        var got = Centroid(warped[0]);
        Assert.InRange(Math.Abs(got.X - want.X), 0, 0.01);
        Assert.InRange(Math.Abs(got.Y - want.Y), 0, 0.01);
    }

    [Fact]
    public void Alignment_puts_a_rotated_and_scaled_face_at_the_reference_placement_within_a_tenth_of_a_pixel()
    {
        var reference256 = Reference(80, 176);
        var reference64 = Map(Similarity(0, 0.25, (0, 0), (0, 0)), reference256);
        var src = Map(Similarity(20, 0.9, (32, 32), (3, -2)), reference64);
        using var aligner = new FaceAligner(new Fan(), reference256, outputSize: 64);
        var image = (Blob(64, (src[96, 0], src[96, 1])) * 2 - 1).unsqueeze(0).repeat(3, 1, 1).to(float32);
        var aligned = aligner.AlignOne(image, src);
        Assert.Equal(new long[] { 3, 64, 64 }, aligned.shape);
        var got = Centroid((aligned[0].to(float64) + 1) / 2);
        Assert.InRange(Math.Abs(got.X - reference64[96, 0]), 0, 0.1);
        Assert.InRange(Math.Abs(got.Y - reference64[96, 1]), 0, 0.1);
    }

    [Fact]
    public void Mirror_padding_doubles_the_size_and_keeps_the_centre()
    {
        var image = rand(3, 20, 20, dtype: float64) * 255;
        var (padded, offset) = MirrorPad.Apply(image);
        Assert.Equal(new long[] { 3, 40, 40 }, padded.shape);
        Assert.Equal((10.0, 10.0), offset);
        Assert.True(allclose(padded.narrow(1, 10, 20).narrow(2, 10, 20), image));
    }

    [Fact]
    public void Mean_landmarks_are_read_from_npz_and_unsafe_entry_names_are_refused()
    {
        string dir = Directory.CreateTempSubdirectory("stargan-npz").FullName;
        var values = Enumerable.Range(0, 196).Select(i => (float)i).ToArray();
        string good = Path.Combine(dir, "mean.npz");
        WriteNpz(good, "mean.npy", values);
        var mean = FaceAligner.ReadMeanLandmarks(good);
        Assert.Equal(0.0, mean[0, 0]);
        Assert.Equal(195.0, mean[97, 1]);

        string evil = Path.Combine(dir, "evil.npz");
        WriteNpz(evil, "../mean.npy", values);
        var ex = Assert.Throws<InvalidDataException>(() => FaceAligner.ReadMeanLandmarks(evil));
        Assert.Contains("../mean.npy", ex.Message);
    }

    internal static void WriteNpz(string path, string entryName, float[] values)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        using var s = zip.CreateEntry(entryName).Open();
        string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (98, 2), }";
        header = header.PadRight(128 - 10 - 1) + "\n";   // data starts 64-byte aligned, as numpy writes
        using var w = new BinaryWriter(s);
        w.Write(new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 });
        w.Write((ushort)header.Length);
        w.Write(Encoding.Latin1.GetBytes(header));
        foreach (var v in values) w.Write(v);
    }
}
