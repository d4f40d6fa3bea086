using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using StarGanLab.Data;
using StarGanLab.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Metrics;

/// <summary>Feature statistics of the real (training) images of a domain, cached on disk under a key made of the
/// data (every file's relative path, size and modification time; for the synthetic set its options and a hash of
/// rendered images), the image size and the backbone's weights. Computing them for AFHQ's 5,000 images per domain
/// takes longer than the fakes; they change only when one of those does.</summary>
public sealed class RealStatsCache(string directory)
{
    const string Magic = "SGLSTAT1";

    public string Directory { get; } = directory;

    /// <summary>The default folder: real-stats in <see cref="IO.CacheFolder.Root"/> (~/.cache/stargan/real-stats).</summary>
    public static string DefaultDirectory => Path.Combine(IO.CacheFolder.Root, "real-stats");

    /// <summary>Statistics of all images of <paramref name="domain"/> in <paramref name="source"/>: from the cache, or
    /// computed with <paramref name="backbone"/> and stored.</summary>
    public FeatureStats Get(IImageSource source, int domain, int imgSize, IFeatureBackbone backbone, int batchSize, Action<string> log)
    {
        string key = Key(source, domain, imgSize, backbone);
        string file = Path.Combine(Directory, $"{backbone.Name}-{key}.stats");
        if (File.Exists(file))
        {
            try { return Read(file); }
            catch (Exception e) when (e is IOException or InvalidDataException or EndOfStreamException)
            {
                log($"{file}: unreadable cached statistics ({e.Message}); recomputing");
            }
        }
        log($"real-image statistics of '{source.DomainNames[domain]}' ({source.Count(domain)} images, {backbone.Name}): computing");
        var stats = Compute(source, domain, imgSize, backbone, batchSize);
        Write(file, stats);
        return stats;
    }

    public static FeatureStats Compute(IImageSource source, int domain, int imgSize, IFeatureBackbone backbone, int batchSize)
    {
        var features = new List<Tensor>();
        try
        {
            for (int start = 0; start < source.Count(domain); start += batchSize)
            {
                using var scope = NewDisposeScope();
                using var gcHeldOff = new Native.NoGcRegion();   // TorchSharp's implicit Scalars race the finalizer (see NoGcRegion)
                var x = EvalImages.Load(source, domain, start, Math.Min(batchSize, source.Count(domain) - start), imgSize);
                features.Add(backbone.Features(EvalPixels.ToBytes(x)).MoveToOuterDisposeScope());
            }
            using var all = cat(features, 0);
            return FeatureStats.Of(all);
        }
        finally
        {
            foreach (var f in features) f.Dispose();
        }
    }

    /// <summary>SHA-256 over everything the statistics depend on.</summary>
    public static string Key(IImageSource source, int domain, int imgSize, IFeatureBackbone backbone)
    {
        var text = new StringBuilder()
            .Append("backbone=").Append(backbone.Identity).Append('\n')
            .Append("img_size=").Append(imgSize).Append('\n')
            .Append("domain=").Append(source.DomainNames[domain]).Append('\n')
            .Append("count=").Append(source.Count(domain)).Append('\n');
        if (source is ImageFolderDataset folder)
        {
            text.Append("root=").Append(Path.GetFullPath(folder.Root)).Append('\n');
            foreach (var f in folder.Files(domain))
            {
                var info = new FileInfo(f);
                text.Append(Path.GetRelativePath(folder.Root, f)).Append(' ').Append(info.Length).Append(' ')
                    .Append(info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }
        else
        {
            // Sources without files (the synthetic set): its options are its contents, and pixels of a few images
            // guard against a change of the painter.
            text.Append("source=").Append(source.GetType().FullName).Append('\n');
            int n = source.Count(domain);
            foreach (int i in new[] { 0, n / 2, n - 1 }.Where(i => i >= 0 && i < n).Distinct())
            {
                using var bitmap = source.Load(domain, i);
                text.Append(Convert.ToHexString(SHA256.HashData(bitmap.GetPixelSpan()))).Append('\n');
            }
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..32];
    }

    static void Write(string file, FeatureStats s)
    {
        var mean = s.Mean.contiguous().data<double>().ToArray();
        var cov = s.Cov.contiguous().data<double>().ToArray();
        AtomicFile.Write(file, fs =>
        {
            using var w = new BinaryWriter(fs, Encoding.ASCII, leaveOpen: true);
            w.Write(Encoding.ASCII.GetBytes(Magic));
            w.Write(s.Count);
            w.Write(mean.Length);
            foreach (double v in mean) w.Write(v);
            foreach (double v in cov) w.Write(v);
        });
    }

    static FeatureStats Read(string file)
    {
        using var r = new BinaryReader(File.OpenRead(file), Encoding.ASCII);
        if (Encoding.ASCII.GetString(r.ReadBytes(Magic.Length)) != Magic) throw new InvalidDataException("not a statistics file");
        long count = r.ReadInt64();
        int d = r.ReadInt32();
        if (d is < 1 or > 65536 || r.BaseStream.Length != Magic.Length + 12 + 8L * (d + (long)d * d))
            throw new InvalidDataException($"size does not match dimension {d}");
        var mean = new double[d];
        var cov = new double[(long)d * d];
        for (int i = 0; i < d; i++) mean[i] = r.ReadDouble();
        for (long i = 0; i < cov.LongLength; i++) cov[i] = r.ReadDouble();
        return new FeatureStats(tensor(mean), tensor(cov, [d, d]), count);
    }
}
