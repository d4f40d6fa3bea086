using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using StarGanLab.Checkpoints;
using StarGanLab.Data;
using static TorchSharp.torch;

namespace StarGanLab.Metrics.GroundTruth;

/// <summary>
/// A CNN that reads the known factors back off a synthetic image: which domain's shape it shows, where the head is
/// (content), and its fur and background colours and texture (style). Trained on renders of one synthetic set
/// (seed, image size, domains), so it measures translations of that set's images; <see cref="Quality"/> is its own
/// error on held-out renders. Lives on the CPU; owns its network.
/// </summary>
public sealed class SyntheticOracle : IDisposable
{
    public const string Kind = "gt_oracle";
    const int PredictBatch = 256;

    public OracleNet Net { get; }
    public OracleOptions Options { get; }
    public OracleQuality Quality { get; }
    /// <summary>What the oracle was trained for; equal keys mean interchangeable oracles (the cache relies on it).</summary>
    public string Key { get; }

    SyntheticOracle(OracleNet net, OracleOptions options, OracleQuality quality, string key)
    {
        Net = net; Options = options; Quality = quality; Key = key;
    }

    /// <summary>The cache key of an oracle for <paramref name="set"/>: everything that changes what it learns.</summary>
    public static string KeyFor(SyntheticDomains set, OracleOptions o)
    {
        var key = new JsonObject
        {
            ["oracle_version"] = OracleOptions.Version,
            ["synthetic_seed"] = set.Options.Seed,
            ["img_size"] = set.Options.ImgSize,
            ["domains"] = new JsonArray(set.DomainNames.Select(n => (JsonNode)n).ToArray()),
            ["steps"] = o.Steps, ["batch_size"] = o.BatchSize, ["width"] = o.Width, ["learning_rate"] = o.LearningRate,
            ["noise_std"] = o.NoiseStd, ["seed"] = o.Seed, ["held_out_per_domain"] = o.HeldOutPerDomain,
        };
        // Only non-default texture options enter the key, so the oracles cached for the default set stay valid.
        if (set.Options.TextureScale != 1) key["texture_scale"] = set.Options.TextureScale;
        if (set.Options.TexturePhaseJitter != 1) key["texture_phase_jitter"] = set.Options.TexturePhaseJitter;
        if (set.Options.TextureDensityJitter != 1) key["texture_density_jitter"] = set.Options.TextureDensityJitter;
        return key.ToJsonString();
    }

    /// <summary><c>cacheDir/oracle-&lt;size&gt;px-&lt;hash of the key&gt;.sgl</c>.</summary>
    public static string CacheFile(string cacheDir, SyntheticDomains set, OracleOptions o)
    {
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(KeyFor(set, o))))[..16];
        return Path.Combine(cacheDir, $"oracle-{set.Options.ImgSize}px-{hash}.sgl");
    }

    /// <summary>Trains a new oracle (no cache) and measures it.</summary>
    public static SyntheticOracle Train(SyntheticDomains set, OracleOptions? options = null, Action<string>? log = null)
    {
        var o = options ?? new OracleOptions();
        o.Validate();
        log ??= _ => { };
        var clock = Stopwatch.StartNew();
        var net = OracleTrainer.Train(set, o, log);
        var oracle = new SyntheticOracle(net, o, OracleTrainer.Measure(net, set, o.HeldOutPerDomain), KeyFor(set, o));
        log($"oracle: trained in {clock.Elapsed.TotalSeconds:0.0} s; {oracle.Quality}");
        return oracle;
    }

    /// <summary>
    /// The cached oracle for (<paramref name="set"/>, <paramref name="options"/>) in <paramref name="cacheDir"/>, or a
    /// newly trained one written there atomically. A cache file that is unreadable, corrupt or for another key is
    /// logged and replaced, never trusted.
    /// </summary>
    public static SyntheticOracle LoadOrTrain(SyntheticDomains set, OracleOptions? options, string cacheDir, Action<string>? log = null)
    {
        var o = options ?? new OracleOptions();
        o.Validate();
        log ??= _ => { };
        string file = CacheFile(cacheDir, set, o);
        if (File.Exists(file))
        {
            try
            {
                var cached = Load(file, set, o);
                log($"oracle: loaded {file}; {cached.Quality}");
                return cached;
            }
            catch (Exception e) when (e is CheckpointException or InvalidDataException)
            {
                log($"oracle: ignoring the cached oracle ({e.Message}); training a new one");
            }
        }
        var oracle = Train(set, o, log);
        try
        {
            oracle.Save(file);
        }
        catch
        {
            oracle.Dispose();
            throw;
        }
        log($"oracle: saved {file}");
        return oracle;
    }

    /// <summary>Writes the network with its key and measured quality (atomically, with a payload checksum).</summary>
    public void Save(string path)
    {
        var header = new JsonObject
        {
            ["key"] = Key,
            ["quality"] = JsonSerializer.SerializeToNode(Quality, Json),
        };
        NativeCheckpoint.Save(path, Kind, Options.Steps, header,
            new Dictionary<string, IReadOnlyDictionary<string, Tensor>> { ["oracle"] = StateDicts.Of(Net) });
    }

    /// <summary>Loads an oracle saved for exactly this set and these options; anything else is an
    /// <see cref="InvalidDataException"/> or <see cref="CheckpointException"/> naming the file.</summary>
    public static SyntheticOracle Load(string path, SyntheticDomains set, OracleOptions o)
    {
        using var data = NativeCheckpoint.Load(path, Kind);
        string want = KeyFor(set, o);
        string? have = data.Header.Config?["key"]?.GetValue<string>();
        if (have != want)
            throw new InvalidDataException($"{path}: is an oracle for {have ?? "(no key)"}, expected {want}");
        OracleQuality quality;
        try
        {
            quality = data.Header.Config!["quality"].Deserialize<OracleQuality>(Json)
                ?? throw new InvalidDataException($"{path}: no oracle quality in the header");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new InvalidDataException($"{path}: unreadable oracle quality in the header: {e.Message}", e);
        }
        var net = new OracleNet(set.DomainNames.Count, o.Width);
        try
        {
            StateDicts.LoadStrict(net, data.Groups.TryGetValue("oracle", out var sd) ? sd
                : throw new CheckpointException($"{path}: no 'oracle' network (has {string.Join(", ", data.Groups.Keys)})"), $"{path}[oracle]");
        }
        catch
        {
            net.Dispose();
            throw;
        }
        net.eval();
        return new SyntheticOracle(net, o, quality, want);
    }

    /// <summary>Reads the factors off images (N, 3, S, S) in [-1, 1] at the set's image size, on any device.</summary>
    public OraclePrediction Predict(Tensor images) => Predict(Net, images);

    internal static OraclePrediction Predict(OracleNet net, Tensor images)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var parts = new List<(Tensor, Tensor, Tensor, Tensor)>();
        var cpu = images.cpu().to(float32);
        for (long i = 0; i < cpu.size(0); i += PredictBatch)
        {
            using var outs = net.call(cpu.narrow(0, i, Math.Min(PredictBatch, cpu.size(0) - i)));
            parts.Add((outs.DomainLogits.argmax(1), outs.Content.alias(), outs.Style.alias(), outs.TextureLogits.argmax(1)));
        }
        return new OraclePrediction(
            cat(parts.Select(p => p.Item1).ToArray()).MoveToOuterDisposeScope(),
            cat(parts.Select(p => p.Item2).ToArray()).MoveToOuterDisposeScope(),
            cat(parts.Select(p => p.Item3).ToArray()).MoveToOuterDisposeScope(),
            cat(parts.Select(p => p.Item4).ToArray()).MoveToOuterDisposeScope());
    }

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public void Dispose() => Net.Dispose();
}
