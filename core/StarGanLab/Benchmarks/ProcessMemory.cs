namespace StarGanLab.Benchmarks;

/// <summary>Resident memory of this process from /proc (Linux); 0 elsewhere.</summary>
public static class ProcessMemory
{
    /// <summary>Peak resident set size (VmHWM) in MiB.</summary>
    public static double PeakRssMiB() => ReadKiB("VmHWM:") / 1024.0;

    /// <summary>Current resident set size (VmRSS) in MiB.</summary>
    public static double RssMiB() => ReadKiB("VmRSS:") / 1024.0;

    static long ReadKiB(string field)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return 0;
        foreach (var line in File.ReadLines(status))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line[field.Length..].Trim().Split(' ')[0]);
        return 0;
    }
}
