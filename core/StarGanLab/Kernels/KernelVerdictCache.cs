using System.Text.Json;
using System.Text.Json.Serialization;
using StarGanLab.IO;

namespace StarGanLab.Kernels;

/// <summary>Self-check results on disk, one file per machine fingerprint, route and network shapes, so a check
/// costs its seconds once per CPU, libtorch and ISA setting. A file that does not parse is checked again.</summary>
public sealed class KernelVerdictCache(string directory)
{
    public string Directory { get; } = directory;

    /// <summary>kernels in <see cref="CacheFolder.Root"/> (~/.cache/stargan/kernels).</summary>
    public static KernelVerdictCache Default() => new(Path.Combine(CacheFolder.Root, "kernels"));

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    sealed record Entry(string Machine, string Route, string Shapes, List<Row> Cases);
    sealed record Row(string Family, string Shape, double Forward, double Backward, double DoubleBackward, double Tolerance);

    public string PathFor(string key) => Path.Combine(Directory, key + ".json");

    public List<KernelCaseResult>? TryRead(string key)
    {
        try
        {
            var entry = JsonSerializer.Deserialize<Entry>(File.ReadAllText(PathFor(key)), Json);
            return entry?.Cases.Select(r => new KernelCaseResult(new KernelCase(r.Family, r.Shape), r.Forward, r.Backward, r.DoubleBackward, r.Tolerance)).ToList();
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException or NotSupportedException)
        {
            return null;   // absent or unreadable: the check runs again
        }
    }

    public void Forget(string key)
    {
        try { File.Delete(PathFor(key)); } catch (IOException) { /* checked again and rewritten anyway */ }
    }

    public void Write(string key, string machine, ConvRoute route, string shapes, IEnumerable<KernelCaseResult> results)
    {
        var entry = new Entry(machine, KernelSetting.Name(route), shapes,
            results.Select(r => new Row(r.Case.Family, r.Case.Shape, r.Forward, r.Backward, r.DoubleBackward, r.Tolerance)).ToList());
        try { AtomicFile.WriteAllText(PathFor(key), JsonSerializer.Serialize(entry, Json)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { /* a read-only home: check again next time */ }
    }
}
