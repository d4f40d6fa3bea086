using System.Globalization;
using StarGanLab.Config;
using StarGanLab.Data;

namespace StarGanLab.Sampling;

/// <summary>The domains a trained model knows, by name when the run's config tells them (the synthetic set's names,
/// or the sub-folders of data.root, sorted as the training labels were) and else only by label, as for an imported
/// official checkpoint.</summary>
public sealed class RunDomains
{
    /// <summary>Names in label order, or null when only labels 0..Count-1 are known.</summary>
    public IReadOnlyList<string>? Names { get; }
    public int Count { get; }

    public RunDomains(int count, IReadOnlyList<string>? names)
    {
        if (names != null && names.Count != count)
            throw new ArgumentException($"{names.Count} domain names [{string.Join(", ", names)}] for a model of {count} domains");
        Count = count;
        Names = names;
    }

    public static RunDomains Of(ExperimentConfig cfg)
    {
        int n = cfg.Model.NumDomains;
        if (cfg.Data.Source == "synthetic" && cfg.Data.SyntheticDomains == n)
            return new RunDomains(n, SyntheticDomains.AllDomainNames.Take(n).ToArray());
        if (cfg.Data.Source == "folder" && cfg.Data.Root.Length > 0 && Directory.Exists(cfg.Data.Root))
        {
            // ImageFolder's rule: domain sub-folders in ordinal order, label = position.
            string[] dirs = Directory.GetDirectories(cfg.Data.Root).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal).ToArray();
            if (dirs.Length == n) return new RunDomains(n, dirs);
        }
        return new RunDomains(n, null);
    }

    /// <summary>"the run's domains are cat, dog, wild" (or "labels 0..2").</summary>
    public string Describe() => Names != null ? $"the run's domains are {string.Join(", ", Names)}" : $"the run's domains are known only by label, 0..{Count - 1}";

    /// <summary>The label of a domain given by name or by label number; an unknown one is an error listing the domains.</summary>
    public int Resolve(string domain)
    {
        if (Names != null)
        {
            int i = Names.ToList().FindIndex(n => string.Equals(n, domain, StringComparison.Ordinal));
            if (i >= 0) return i;
        }
        if (int.TryParse(domain, NumberStyles.None, CultureInfo.InvariantCulture, out int label) && label < Count) return label;
        throw new ArgumentException($"unknown domain '{domain}': {Describe()}");
    }

    /// <summary>The label named by a folder name, or null when the name is not a known domain.</summary>
    public int? TryResolveName(string name) =>
        Names?.ToList().FindIndex(n => string.Equals(n, name, StringComparison.Ordinal)) is int i and >= 0 ? i : null;

    /// <summary>Labels for the domain sub-folders of a sample folder: by name when the run's names are known (a folder
    /// may hold a subset of them), else by sorted position as the official sample mode, which then needs one sub-folder
    /// per domain.</summary>
    public int[] LabelsOfFolders(string root, IReadOnlyList<string> folders)
    {
        if (Names == null)
        {
            if (folders.Count != Count)
                throw new DataException($"'{root}' has {folders.Count} domain sub-folder(s) [{string.Join(", ", folders)}], but the model has {Count} domains and the run does not name them, so the folders are matched by sorted position: give it one sub-folder per domain");
            return Enumerable.Range(0, Count).ToArray();
        }
        return folders.Select(f => TryResolveName(f)
            ?? throw new DataException($"'{Path.Combine(root, f)}': '{f}' is not a domain of this model; {Describe()}")).ToArray();
    }
}
