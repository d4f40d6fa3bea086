namespace StarGanLab.Native;

/// <summary>How many cores are idle right now, from two readings of /proc/stat: what a run can use without fighting
/// other work for the CPU.</summary>
public static class CpuIdle
{
    /// <summary>Idle cores over <paramref name="window"/> (0 to the core count), or null where /proc/stat is not readable.</summary>
    public static double? Cores(TimeSpan window)
    {
        if (Read() is not { } a) return null;
        Thread.Sleep(window);
        if (Read() is not { } b) return null;
        double total = b.Total - a.Total, idle = b.Idle - a.Idle;
        return total <= 0 ? null : Environment.ProcessorCount * Math.Clamp(idle / total, 0, 1);
    }

    /// <summary>The aggregate "cpu" line: jiffies in all states, and idle + iowait.</summary>
    static (double Total, double Idle)? Read()
    {
        try
        {
            string? line = File.ReadLines("/proc/stat").FirstOrDefault(l => l.StartsWith("cpu ", StringComparison.Ordinal));
            if (line is null) return null;
            var v = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(double.Parse).ToArray();
            return v.Length < 5 ? null : (v.Take(8).Sum(), v[3] + v[4]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }
}
