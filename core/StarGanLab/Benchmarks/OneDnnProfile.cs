using System.Globalization;
using System.Text.RegularExpressions;

namespace StarGanLab.Benchmarks;

/// <summary>What oneDNN computed during one phase of a training iteration: the convolutions' floating-point work
/// by direction and the time its kernels took, and the time of its other primitives (mostly reorders between
/// libtorch's plain NCHW layout and oneDNN's blocked one).</summary>
public sealed record PhaseWork(string Phase, double ConvGflopForward, double ConvGflopBackwardData, double ConvGflopBackwardWeights,
    double ConvSeconds, double ReorderSeconds, double OtherSeconds, int Convolutions, int Reorders)
{
    public double ConvGflop => ConvGflopForward + ConvGflopBackwardData + ConvGflopBackwardWeights;
    public double OneDnnSeconds => ConvSeconds + ReorderSeconds + OtherSeconds;
}

/// <summary>Reads the log of a benchmark that ran with <c>ONEDNN_VERBOSE=profile_exec</c> and printed a
/// <see cref="Marker"/> line after each phase: every primitive oneDNN executed, with its shape and time, is
/// attributed to the phase whose marker follows it.</summary>
/// <remarks>A convolution's work is 2 * mb * oc * oh * ow * (ic / groups) * kh * kw FLOPs in each direction:
/// the forward pass, the input gradient (backward_data) and the weight gradient (backward_weights) are each one
/// convolution-sized product. These are the convolutions the CPU really ran: the fused resampling kernels, the
/// channel padding of the kernel guard, and the convolutions of R1's double backward included.</remarks>
public static partial class OneDnnProfile
{
    public const string Marker = "stargan_phase";

    /// <summary>The marker line printed after phase <paramref name="phase"/> of iteration <paramref name="iteration"/>.</summary>
    public static string MarkerLine(int iteration, string phase) => $"{Marker},{iteration},{phase}";

    [GeneratedRegex(@"^(?:g(?<g>\d+))?mb(?<mb>\d+)_ic(?<ic>\d+)oc(?<oc>\d+)_ih\d+oh(?<oh>\d+)kh(?<kh>\d+)\D.*_iw\d+ow(?<ow>\d+)kw(?<kw>\d+)\D")]
    private static partial Regex Conv2dShape();

    /// <summary>The FLOPs of one execution of a 2-D convolution from its oneDNN problem descriptor
    /// (e.g. <c>mb8_ic64oc128_ih32oh32kh3sh1dh0ph1_iw32ow32kw3sw1dw0pw1</c>).</summary>
    public static double ConvFlops(string descriptor)
    {
        var m = Conv2dShape().Match(descriptor);
        if (!m.Success) throw new FormatException($"not a 2-D convolution descriptor: '{descriptor}'");
        double V(string name) => m.Groups[name].Success ? double.Parse(m.Groups[name].Value, CultureInfo.InvariantCulture) : 1;
        return 2 * V("mb") * V("oc") * V("oh") * V("ow") * (V("ic") / V("g")) * V("kh") * V("kw");
    }

    /// <summary>The work of each phase of iteration <paramref name="iteration"/>, in the order the phases ran.</summary>
    public static IReadOnlyList<PhaseWork> Read(IEnumerable<string> lines, int iteration)
    {
        var phases = new List<PhaseWork>();
        var acc = new Accumulator();
        foreach (var line in lines)
        {
            if (line.StartsWith(Marker + ",", StringComparison.Ordinal))
            {
                var f = line.Split(',');
                if (f.Length == 3 && int.TryParse(f[1], CultureInfo.InvariantCulture, out int it) && it == iteration)
                    phases.Add(acc.ToPhase(f[2]));
                acc = new Accumulator();
                continue;
            }
            if (!line.StartsWith("onednn_verbose,", StringComparison.Ordinal)) continue;
            acc.Add(line.Split(','));
        }
        if (phases.Count == 0)
            throw new FormatException($"the log has no '{Marker},{iteration},...' lines: was the benchmark run with phase markers and at least {iteration + 1} iterations?");
        return phases;
    }

    sealed class Accumulator
    {
        double fwd, bwdData, bwdWeights, conv, reorder, other;
        int convs, reorders;

        // onednn_verbose,v1,primitive,exec,cpu,<primitive>,<implementation>,<propagation>,<formats>,<attributes>,<aux>,<problem>,<ms>
        public void Add(string[] f)
        {
            int exec = Array.IndexOf(f, "exec");
            if (exec < 0 || f.Length < exec + 4) return;
            if (!double.TryParse(f[^1], NumberStyles.Float, CultureInfo.InvariantCulture, out double ms)) return;
            double seconds = ms / 1000;
            switch (f[exec + 2])
            {
                case "convolution":
                    double gflop = ConvFlops(f[^2]) / 1e9;
                    string direction = f[exec + 4];
                    if (direction.StartsWith("backward_data", StringComparison.Ordinal)) bwdData += gflop;
                    else if (direction.StartsWith("backward_weights", StringComparison.Ordinal)) bwdWeights += gflop;
                    else fwd += gflop;
                    conv += seconds;
                    convs++;
                    break;
                case "reorder":
                    reorder += seconds;
                    reorders++;
                    break;
                default:
                    other += seconds;
                    break;
            }
        }

        public PhaseWork ToPhase(string name) => new(name, fwd, bwdData, bwdWeights, conv, reorder, other, convs, reorders);
    }
}
