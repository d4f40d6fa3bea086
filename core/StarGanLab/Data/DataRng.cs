namespace StarGanLab.Data;

/// <summary>
/// SplitMix64: a tiny PRNG whose whole state is one <see cref="ulong"/>, so a position can be saved and
/// derived streams are cheap. Why not System.Random: its seeded algorithm is an implementation detail of
/// the runtime, and we need the same bits on every .NET version for exact resume and reproducible data.
/// A mutable struct: pass it by <c>ref</c>.
/// </summary>
public struct DataRng
{
    ulong state;

    public DataRng(ulong seed) => state = seed;

    /// <summary>The state; <c>new DataRng(State)</c> continues the same stream.</summary>
    public readonly ulong State => state;

    /// <summary>An independent stream for a tuple of keys (seed, split, domain, index...), order-sensitive.</summary>
    public static DataRng For(long seed, params ReadOnlySpan<long> keys)
    {
        ulong h = Mix((ulong)seed ^ 0x5851F42D4C957F2DUL);
        foreach (long k in keys) h = Mix(h ^ Mix((ulong)k + 0x9E3779B97F4A7C15UL));
        return new DataRng(h);
    }

    public ulong NextULong()
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [lo, hi).</summary>
    public double Uniform(double lo, double hi) => lo + (hi - lo) * NextDouble();

    /// <summary>Uniform integer in [0, n), unbiased (Lemire's multiply-shift with rejection).</summary>
    public int NextInt(int n)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "must be positive");
        ulong range = (ulong)n;
        while (true)
        {
            ulong x = NextULong();
            UInt128 m = (UInt128)x * range;
            ulong low = (ulong)m;
            if (low >= range || low >= (0UL - range) % range) return (int)(m >> 64);
        }
    }

    static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
