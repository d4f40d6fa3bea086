using StarGanLab.Config;
using StarGanLab.Data;

namespace StarGanLab.Data;

/// <summary>Opens the training and validation images a config names: the embedded synthetic set or ImageFolder roots.</summary>
public static class DataSources
{
    /// <summary>The synthetic set a config trains on (data.source synthetic), at the model's image size.</summary>
    public static SyntheticDomains SyntheticSet(ExperimentConfig cfg) =>
        new(new SyntheticOptions(cfg.Data.SyntheticDomains, cfg.Data.SyntheticPerDomain, cfg.Model.ImgSize, cfg.Data.SyntheticSeed));

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
        var train = new ImageFolderDataset(d.Root, options, warn);
        if (string.IsNullOrEmpty(d.ValRoot)) return (train, train);
        var val = new ImageFolderDataset(d.ValRoot, options, warn);
        if (!train.DomainNames.SequenceEqual(val.DomainNames))
            throw new DataException($"training domains [{string.Join(", ", train.DomainNames)}] in {d.Root} differ from validation domains [{string.Join(", ", val.DomainNames)}] in {d.ValRoot}");
        return (train, val);
    }

    public static void CheckDomains(ExperimentConfig cfg, IImageSource train)
    {
        if (train.DomainNames.Count != cfg.Model.NumDomains)
            throw new DataException($"model.num_domains is {cfg.Model.NumDomains} but the data has {train.DomainNames.Count} domains [{string.Join(", ", train.DomainNames)}]");
    }
}
