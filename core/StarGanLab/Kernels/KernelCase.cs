namespace StarGanLab.Kernels;

/// <summary>One op the networks use, at one shape: <see cref="Family"/> is conv2d, instance_norm, linear, avg_pool2d
/// or upsample2x; <see cref="Shape"/> reads as the op's arguments.</summary>
public sealed record KernelCase(string Family, string Shape);

/// <summary>A case's worst error relative to the float64 reference's scale (max |f32 - f64| / max |f64|) in each
/// pass: the forward output, the backward (input and weight gradients) and the double backward (the gradient of
/// the squared input gradient, as R1 takes it).</summary>
public sealed record KernelCaseResult(KernelCase Case, double Forward, double Backward, double DoubleBackward, double Tolerance)
{
    public double Worst => Math.Max(Forward, Math.Max(Backward, DoubleBackward));
    public bool Pass => Worst <= Tolerance;   // NaN fails
}
