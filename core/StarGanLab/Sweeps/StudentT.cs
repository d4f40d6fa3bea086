namespace StarGanLab.Sweeps;

/// <summary>The 97.5% quantile of Student's t distribution, for 95% confidence intervals over a handful of seeds.</summary>
public static class StudentT
{
    // t(0.975, df) for df = 1..30, to four decimals (any statistics table); beyond 30 the Cornish-Fisher expansion
    // below is within 1e-4 of the exact value.
    static readonly double[] Table =
    [
        12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
        2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
        2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
    ];

    public static double Quantile975(int degreesOfFreedom)
    {
        if (degreesOfFreedom < 1) throw new ArgumentOutOfRangeException(nameof(degreesOfFreedom), degreesOfFreedom, "needs at least one degree of freedom (two values)");
        if (degreesOfFreedom <= Table.Length) return Table[degreesOfFreedom - 1];
        const double z = 1.959963984540054;
        double n = degreesOfFreedom, z3 = z * z * z, z5 = z3 * z * z;
        return z + (z3 + z) / (4 * n) + (5 * z5 + 16 * z3 + 3 * z) / (96 * n * n);
    }
}
