namespace StarGanLab.Kernels;

/// <summary>The process-wide convolution route. libtorch's kernels are a property of the process (one CPU, one
/// libtorch, one oneDNN ISA), so the route is too; <see cref="KernelGuard"/> sets it from its self-check.</summary>
public static class KernelRouting
{
    static volatile int current = (int)ConvRoute.Native;

    public static ConvRoute Current
    {
        get => (ConvRoute)current;
        internal set => current = (int)value;
    }
}
