namespace StarGanLab.IO;

/// <summary>Where the lab keeps what it can recompute (real-image statistics, kernel self-check verdicts).</summary>
public static class CacheFolder
{
    /// <summary>$STARGAN_CACHE_DIR, else $XDG_CACHE_HOME/stargan, else ~/.cache/stargan.</summary>
    public static string Root =>
        Environment.GetEnvironmentVariable("STARGAN_CACHE_DIR") is { Length: > 0 } s ? s
        : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? x
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "stargan");
}
