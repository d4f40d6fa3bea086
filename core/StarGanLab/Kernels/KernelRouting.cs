namespace StarGanLab.Kernels;

/// <summary>The process-wide convolution route. libtorch's kernels are a property of the process (one CPU, one
/// libtorch, one oneDNN ISA), so the route is too; <see cref="KernelGuard"/> sets it from its self-check. Until a
/// check has run, it is the padded route, which computes the same function and is correct on every CPU measured: a
/// network built outside the guard (a test, a script's own module) never meets the faulty kernels.</summary>
public static class KernelRouting
{
    static volatile int current = (int)ConvRoute.Padded;

    public static ConvRoute Current
    {
        get => (ConvRoute)current;
        internal set => current = (int)value;
    }
}
