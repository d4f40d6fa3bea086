namespace StarGanLab.Data;

/// <summary>
/// AFHQ, AFHQ v2 and CelebA-HQ as their official downloads unpack (clovaai/stargan-v2 download.sh), with the counts
/// their publishers state. Only counts we could read in a source are here; docs/data.md has the table and says which
/// per-domain counts are not published.
/// </summary>
public static class PublishedDatasets
{
    const string StarGanV2Readme = "https://github.com/clovaai/stargan-v2/blob/master/README.md#animal-faces-hq-dataset-afhq";
    const string CelebaHqCard = "https://huggingface.co/datasets/mattymchen/celeba-hq (dataset card: train 28000, validation 2000)";

    /// <summary>README: "For each domain, we select 500 images as a test set"; the v2 note: "the original had 16130".
    /// The training total, 16130 - 3 x 500 = 14630, follows from the two.</summary>
    public static readonly DatasetSpec Afhq = new("afhq", ["train", "val"], ["cat", "dog", "wild"], 512,
    [
        new(null, null, 16130, StarGanV2Readme),
        new("train", null, 14630, StarGanV2Readme + " (16130 - 3 x 500)"),
        new("val", "cat", 500, StarGanV2Readme),
        new("val", "dog", 500, StarGanV2Readme),
        new("val", "wild", 500, StarGanV2Readme),
    ], Config: "configs/afhq.yaml");

    /// <summary>README: "the set is now has 15803 images". How they split into train and test is not stated there.</summary>
    public static readonly DatasetSpec AfhqV2 = new("afhq_v2", ["train", "test"], ["cat", "dog", "wild"], 512,
    [
        new(null, null, 15803, StarGanV2Readme),
    ], Config: "configs/afhq.yaml");

    /// <summary>StarGAN v2's CelebA-HQ split (female/male): 30,000 images, of which 2,000 held out. The official README
    /// gives no counts; the split totals are those of a public copy of celeba_hq.zip.</summary>
    public static readonly DatasetSpec CelebaHq = new("celeba_hq", ["train", "val"], ["female", "male"], 1024,
    [
        new("train", null, 28000, CelebaHqCard),
        new("val", null, 2000, CelebaHqCard),
    ], Config: "configs/celeba_hq.yaml");

    public static IReadOnlyList<DatasetSpec> All { get; } = [Afhq, AfhqV2, CelebaHq];

    /// <summary>The spec of a name (afhq, afhq_v2, celeba_hq), or an error listing the names.</summary>
    public static DatasetSpec Named(string name) =>
        All.FirstOrDefault(s => s.Name == name)
        ?? throw new DataException($"unknown data set '{name}'; expected one of {string.Join(", ", All.Select(s => s.Name))} (or auto)");
}
