using StarGanLab.IO;

namespace StarGanLab.Data;

/// <summary>How <see cref="DatasetPrepare.Run"/> unpacks and checks an archive.</summary>
/// <param name="Force">Replace files the destination already has (otherwise any clash refuses the whole archive).</param>
/// <param name="CacheSize">Also write the resized cache of every split at this size (model.img_size), when the check is clean.</param>
/// <param name="Spec">The data set; null: detect it among <paramref name="Candidates"/> (default: the published ones).</param>
public sealed record PrepareOptions(
    bool Force = false,
    int? CacheSize = null,
    DatasetSpec? Spec = null,
    IReadOnlyList<DatasetSpec>? Candidates = null,
    DatasetCheckOptions? Check = null,
    ZipExtractLimits? Limits = null);

/// <summary>What <see cref="DatasetPrepare.Run"/> did. <see cref="CacheFolders"/> is empty when no cache was asked for or
/// the check found problems (then <see cref="CacheSkipped"/> says so).</summary>
public sealed record PrepareResult(ZipExtractResult Unpacked, DatasetReport Report, IReadOnlyList<string> CacheFolders, string? CacheSkipped);

/// <summary>A downloaded archive to a checked data set: safe unpacking (<see cref="SafeZipExtractor"/>), then
/// <see cref="DatasetCheck"/>, then optionally the resized cache training picks up by itself.</summary>
public static class DatasetPrepare
{
    /// <param name="progress">Called with (phase, done, total): "unpack" in bytes, "check" and "cache" in images.</param>
    public static PrepareResult Run(string archive, string destination, PrepareOptions? options = null, Action<string, long, long>? progress = null)
    {
        options ??= new();
        var unpacked = SafeZipExtractor.Extract(archive, destination, options.Force, options.Limits,
                                                (done, total) => progress?.Invoke("unpack", done, total));
        // Where the archive put the data set: its one top-level folder (afhq/, celeba_hq/) or the destination itself
        // (afhq_v2.zip holds train/ and test/ at its top).
        string dir = unpacked.TopLevel is [var only] && Directory.Exists(Path.Combine(unpacked.Destination, only))
            ? Path.Combine(unpacked.Destination, only) : unpacked.Destination;
        var report = DatasetCheck.Run(dir, options.Spec, options.Check, (done, total) => progress?.Invoke("check", done, total), options.Candidates);
        if (options.CacheSize is not int size) return new PrepareResult(unpacked, report, [], null);
        if (!report.Clean)
            return new PrepareResult(unpacked, report, [], $"the check found {report.Problems.Count} problem(s); fix them, then run `stargan data cache {report.Root} --size {size}`");
        return new PrepareResult(unpacked, report, WriteCaches(report.Root, report.Spec, size, progress), null);
    }

    /// <summary>The resized cache of every split folder of a data set at <paramref name="size"/>.</summary>
    public static IReadOnlyList<string> WriteCaches(string root, DatasetSpec spec, int size, Action<string, long, long>? progress = null, ImageFolderOptions? options = null) =>
        spec.Splits.Select(split => Path.Combine(root, split)).Where(Directory.Exists)
            .Select(dir => ResizedCache.Write(dir, size, options, (done, total) => progress?.Invoke("cache " + Path.GetFileName(dir), done, total)))
            .ToList();
}
