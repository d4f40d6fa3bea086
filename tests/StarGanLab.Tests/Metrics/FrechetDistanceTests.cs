using StarGanLab.Metrics;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Metrics;

public class FrechetDistanceTests : TorchTest
{
    static Tensor M(double[,] a) => tensor(a);
    static Tensor V(params double[] a) => tensor(a);

    [Fact]
    public void Identical_gaussians_are_at_distance_zero()
    {
        var c = M(new[,] { { 2.0, 0.5 }, { 0.5, 1.0 } });
        Assert.Equal(0, FrechetDistance.Compute(V(1, 2), c, V(1, 2), c), 10);
    }

    [Fact]
    public void Diagonal_covariances_follow_the_closed_form()
    {
        // ||mu1 - mu2||^2 + sum (sqrt(a_i) - sqrt(b_i))^2 when both covariances are diagonal
        double[] a = [4, 1, 9], b = [1, 1, 0.25];
        var expected = (1.0 + 4 + 0) + a.Zip(b).Sum(p => Math.Pow(Math.Sqrt(p.First) - Math.Sqrt(p.Second), 2));
        Assert.Equal(expected, FrechetDistance.Compute(V(0, 0, 1), diag(V(a)), V(1, 2, 1), diag(V(b))), 10);
    }

    [Fact]
    public void Scaled_covariance_gives_mean_term_plus_trace_term()
    {
        // C2 = k^2 C1 commutes with C1: tr(C1 + k^2 C1 - 2k C1) = (1 - k)^2 tr(C1)
        var c = M(new[,] { { 3.0, 1.0 }, { 1.0, 2.0 } });
        Assert.Equal(Math.Pow(1 - 3, 2) * 5 + 2, FrechetDistance.Compute(V(0, 0), c, V(1, 1), c * 9), 9);
    }

    // Expected values from scipy.linalg.sqrtm as the official metrics/fid.py computes them (numpy float64).
    static readonly double[,] C1 = { { 9.351537, 3.494118, 3.382073, 2.573354 }, { 3.494118, 5.468422, -0.677297, 1.673577 }, { 3.382073, -0.677297, 2.414905, 0.520596 }, { 2.573354, 1.673577, 0.520596, 1.002336 } };
    static readonly double[,] C2 = { { 3.101853, -3.043957, 3.863766, 1.714164 }, { -3.043957, 8.243033, -6.566784, -3.099486 }, { 3.863766, -6.566784, 7.304097, 1.278352 }, { 1.714164, -3.099486, 1.278352, 4.675443 } };
    static readonly double[,] C3Rank2 = { { 4.711718, -0.000824, -3.473904, 0.942663 }, { -0.000824, 0.145488, -0.240042, 0.087491 }, { -3.473904, -0.240042, 2.959332, -0.840007 }, { 0.942663, 0.087491, -0.840007, 0.241409 } };

    [Fact]
    public void Matches_scipy_sqrtm_on_fixed_matrices()
    {
        Assert.Equal(21.920997387943164, FrechetDistance.Compute(V(0.5, -1, 2, 0), M(C1), V(1, 1, -0.5, 0.25), M(C2)), 8);
    }

    [Fact]
    public void Singular_covariance_is_handled()
    {
        double d = FrechetDistance.Compute(V(0.5, -1, 2, 0), M(C1), V(1, 1, -0.5, 0.25), M(C3Rank2));
        Assert.Equal(22.794184321162255, d, 6);
    }

    [Fact]
    public void Is_symmetric_and_computed_in_double_from_float_inputs()
    {
        var a = M(C1).to(ScalarType.Float32);
        var b = M(C2).to(ScalarType.Float32);
        double ab = FrechetDistance.Compute(V(0, 0, 0, 0).to(ScalarType.Float32), a, V(1, 0, 0, 0).to(ScalarType.Float32), b);
        double ba = FrechetDistance.Compute(V(1, 0, 0, 0), b, V(0, 0, 0, 0), a);
        Assert.Equal(ab, ba, 5);
    }

    [Fact]
    public void Statistics_are_numpy_mean_and_unbiased_cov()
    {
        using var s = FeatureStats.Of(tensor(new[,] { { 1.0, 2 }, { 3, 5 }, { 4, 4 }, { 0, 1.5 } }).to(ScalarType.Float32));
        Assert.Equal([2.0, 3.125], s.Mean.data<double>().ToArray());
        var cov = s.Cov.data<double>().ToArray();
        Assert.Equal(3.333333333333333, cov[0], 6);
        Assert.Equal(2.6666666666666665, cov[1], 6);
        Assert.Equal(2.7291666666666665, cov[3], 6);
    }

    [Fact]
    public void Mismatched_shapes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => FrechetDistance.Compute(V(0, 0), eye(2, dtype: float64), V(0, 0, 0), eye(3, dtype: float64)));
    }
}
