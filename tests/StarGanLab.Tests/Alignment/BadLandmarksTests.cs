using StarGanLab.Alignment;
using StarGanLab.Tests.Cli;
using Xunit;

namespace StarGanLab.Tests.Alignment;

/// <summary>Landmarks that are NaN or all zero (issue 17, case 5) give an error naming the file, not an
/// ArithmeticException from deep inside the transform.</summary>
public class BadLandmarksTests : TorchTest
{
    static double[,] Filled(double value)
    {
        var p = new double[98, 2];
        for (int i = 0; i < 98; i++) (p[i, 0], p[i, 1]) = (value, value);
        return p;
    }

    [Theory]
    [InlineData(double.NaN, "not finite")]
    [InlineData(0.0, "degenerate")]
    public void The_transform_refuses_nan_or_coinciding_landmarks_with_an_argument_error(double value, string expected)
    {
        var good = Filled(0);
        for (int i = 0; i < 98; i++) (good[i, 0], good[i, 1]) = (i % 10 * 7.0, i / 10 * 9.0);
        var e = Assert.Throws<ArgumentException>(() => FaceTransform.Estimate(Filled(value), good));
        Assert.Contains(expected, e.Message);
        Assert.Contains(expected, Assert.Throws<ArgumentException>(() => FaceTransform.Estimate(good, Filled(value))).Message);
    }

    [Theory]
    [InlineData(float.NaN, "'mean' landmarks are not finite")]
    [InlineData(0f, "'mean' landmarks are degenerate")]
    public void Align_with_nan_or_zero_mean_landmarks_names_the_file_without_a_stack_trace(float value, string expected)
    {
        string dir = Directory.CreateTempSubdirectory("stargan-align").FullName;
        string inDir = Directory.CreateDirectory(Path.Combine(dir, "in")).FullName;
        string wing = Path.Combine(dir, "wing.ckpt"), mean = Path.Combine(dir, "mean.npz");
        Networks.FanSupport.WriteWing(wing);
        AlignmentTests.WriteNpz(mean, "mean.npy", Enumerable.Repeat(value, 196).ToArray());
        StarGanLab.Sampling.ImageGrid.Save(TorchSharp.torch.rand(1, 3, 40, 40) * 2 - 1, 1, Path.Combine(inDir, "face.png"));

        var (exit, output) = StarganProcess.Run(dir, "align", "--in", inDir, "--out", Path.Combine(dir, "out"), "--wing", wing, "--landmarks-mean", mean, "--img-size", "64");
        Assert.Equal(2, exit);
        Assert.Contains(mean, output.Replace("\n", ""));
        Assert.Contains(expected, output.Replace("\n", ""));
        Assert.DoesNotContain("   at ", output);
        Assert.False(File.Exists(Path.Combine(dir, "out", "face.png")));
    }
}
