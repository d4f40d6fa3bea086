using StarGanLab.Config;

namespace StarGanLab.Data;

/// <summary>Opens the training and validation images a config names: the embedded synthetic set or ImageFolder roots.</summary>
public static class DataSources
{
    /// <summary>The synthetic set a config trains on (data.source synthetic), at the model's image size.</summary>
    public static SyntheticDomains SyntheticSet(ExperimentConfig cfg) =>
        new(new SyntheticOptions(cfg.Data.SyntheticDomains, cfg.Data.SyntheticPerDomain, cfg.Model.ImgSize, cfg.Data.SyntheticSeed,
                                 TextureScale: cfg.Data.SyntheticTextureScale, TexturePhaseJitter: cfg.Data.SyntheticTexturePhaseJitter,
                                 TextureDensityJitter: cfg.Data.SyntheticTextureDensityJitter));

    public static (IImageSource Train, IImageSource Val) Open(ExperimentConfig cfg, Action<string> warn)
    {
        var d = cfg.Data;
        if (d.Source == "synthetic")
        {
            var set = SyntheticSet(cfg);
            return (set.AsSource(Split.Train), set.AsSource(Split.Val));
        }
        // A run loaded for inference (an imported checkpoint) may name no data; whoever reads data asks for it here.
        if (d.Root.Trim().Length == 0)
            throw new DataException("data.root: required when data.source is 'folder' (the images, one sub-folder per domain); " +
                                    "set it in the config, or give --data DIR");
        var options = new ImageFolderOptions(MaxPixels: d.MaxPixels);
        var train = OpenFolder(d.Root, cfg.Model.ImgSize, options, warn);
        if (string.IsNullOrEmpty(d.ValRoot)) return (train, train);
        var val = OpenFolder(d.ValRoot, cfg.Model.ImgSize, options, warn);
        if (!train.DomainNames.SequenceEqual(val.DomainNames))
            throw new DataException($"training domains [{string.Join(", ", train.DomainNames)}] in {d.Root} differ from validation domains [{string.Join(", ", val.DomainNames)}] in {d.ValRoot}");
        return (train, val);
    }

    /// <summary>The root's resized cache at <paramref name="imgSize"/> when one matches its files (see <see cref="ResizedCache"/>),
    /// else the originals; the log says which, and why a cache that exists was not used.</summary>
    public static IImageSource OpenFolder(string root, int imgSize, ImageFolderOptions options, Action<string> log)
    {
        if (ResizedCache.TryOpen(root, imgSize, options, out string? why) is { } cached)
        {
            log($"data: {root}: reading the {imgSize}px resized cache '{cached.CacheFolder}' ({cached.TotalImages} images)");
            return cached;
        }
        log($"data: {root}: reading the original images" + (why is null ? "" : $" ({why})"));
        return new ImageFolderDataset(root, options, log);
    }

    public static void CheckDomains(ExperimentConfig cfg, IImageSource train)
    {
        if (train.DomainNames.Count != cfg.Model.NumDomains)
            throw new DataException($"model.num_domains is {cfg.Model.NumDomains} but the data has {train.DomainNames.Count} domains [{string.Join(", ", train.DomainNames)}]");
    }
}
