using System.Text.Json;

namespace StarGanLab.Data;

/// <summary>One original file as the cache saw it, and its resized copy (null: the original was unreadable and is left
/// out, as the loader leaves it out).</summary>
/// <param name="Source">Path relative to the domain folder, '/'-separated.</param>
/// <param name="Width">The original's width (random crops are drawn on it); 0 when it was left out.</param>
public sealed record CacheEntry(string Source, long Bytes, long MtimeTicks, string? Cache, int Width = 0, int Height = 0);

public sealed record CacheDomain(string Name, IReadOnlyList<CacheEntry> Files);

/// <summary>manifest.json of a resized cache: the size, how it was resized, and every original file with its size and
/// modification time, so that a cache whose originals changed, appeared or went away is seen to be stale.</summary>
public sealed record CacheManifest(int Version, int Size, string Resize, IReadOnlyList<CacheDomain> Domains)
{
    public const int CurrentVersion = 1;
    public const string ResizeMethod = "Augmentation.Resize (SkiaSharp bilinear with mipmaps, whole image, as the loader's validation transform); PNG";
    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The manifest, or null and why it cannot be used.</summary>
    public static CacheManifest? TryRead(string path, out string? why)
    {
        try
        {
            var m = JsonSerializer.Deserialize<CacheManifest>(File.ReadAllText(path), Json);
            why = m is null || m.Domains is null ? $"'{path}' is empty" : m.Version != CurrentVersion ? $"'{path}' has version {m.Version}, expected {CurrentVersion}" : null;
            return why is null ? m : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            why = $"'{path}' cannot be read ({e.Message})";
            return null;
        }
    }
}
