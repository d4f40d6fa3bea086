using System.Diagnostics;
using StarGanLab.Kernels;
using static TorchSharp.torch;

namespace StarGanLab.Benchmarks;

/// <summary>This CPU's practical convolution throughput under our libtorch: the probe of
/// <c>bench_official.py --peak</c> (a 3x3 convolution, 256 channels in and out, 64x64, batch 4, forward + backward,
/// counted as three times the forward's FLOPs), timed through <see cref="ConvKernel"/> as the networks call it.</summary>
public static class ConvPeak
{
    public sealed record Result(double GflopsMedian, double GflopsBest, double Gflop, int Repeats, string Probe);

    public static Result Measure(long channels = 256, long size = 64, long batch = 4, int repeats = 5)
    {
        using var scope = NewDisposeScope();
        var x = randn(batch, channels, size, size).requires_grad_(true);
        var w = (randn(channels, channels, 3, 3) * 0.02).requires_grad_(true);
        var g = randn(batch, channels, size, size);
        double gflop = 3 * 2.0 * batch * channels * size * size * channels * 9 / 1e9;
        void Once()
        {
            using var step = NewDisposeScope();
            ConvKernel.Apply(x, w, null, stride: 1, padding: 1).backward([g]);
            x.grad!.zero_();
            w.grad!.zero_();
        }
        Once();   // oneDNN creates its primitives on the first call
        var seconds = new List<double>();
        for (int i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            Once();
            seconds.Add(watch.Elapsed.TotalSeconds);
        }
        seconds.Sort();
        return new Result(gflop / seconds[seconds.Count / 2], gflop / seconds[0], gflop, repeats,
            $"conv3x3 {channels}->{channels} at {size}x{size}, batch {batch}, forward + backward");
    }
}
