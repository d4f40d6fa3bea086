namespace StarGanLab.Data;

/// <summary>Finds the folder that holds a data set's split folders (the given one, or its only sub-folder, as archives
/// that wrap everything in <c>afhq/</c> unpack) and tells which data set it is by its split and domain folder names.</summary>
public static class DatasetLocator
{
    /// <summary>The root and the data set: <paramref name="spec"/> when given, else the one of <paramref name="candidates"/>
    /// whose split and domain folders match best. An unknown or ambiguous layout is an error naming what was found.</summary>
    public static (string Root, DatasetSpec Spec) Locate(string dir, DatasetSpec? spec, IReadOnlyList<DatasetSpec> candidates)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
        if (!Directory.Exists(full)) throw new DataException($"data set folder '{full}' does not exist");
        var specs = spec is null ? candidates : [spec];
        var roots = new List<string> { full };
        if (!specs.Any(s => s.Splits.Any(split => Directory.Exists(Path.Combine(full, split)))) && VisibleFolders(full) is [var only])
            roots.Add(only);

        var scored = roots.SelectMany(r => specs.Select(s => (Root: r, Spec: s, Score: Score(r, s)))).Where(t => t.Score > 0)
                          .OrderByDescending(t => t.Score).ToList();
        if (spec is not null) return (scored.Count > 0 ? scored[0].Root : full, spec);
        if (scored.Count == 0)
            throw new DataException($"cannot tell which data set '{full}' holds: it has [{string.Join(", ", VisibleFolders(full).Select(d => Path.GetFileName(d)))}]; " +
                                    $"expected {string.Join(" or ", candidates.Select(c => c.Describe()))}. Point at the folder with the split folders, or give --dataset");
        var best = scored.Where(t => t.Score == scored[0].Score).Select(t => t.Spec).Distinct().ToList();
        if (best.Count > 1)
            throw new DataException($"'{full}' could be {string.Join(" or ", best.Select(b => b.Name))} (same split and domain folders); give --dataset");
        return (scored[0].Root, scored[0].Spec);
    }

    /// <summary>Split folders found count most, then domain folders found in them; zero when no split folder exists.</summary>
    static int Score(string root, DatasetSpec spec)
    {
        var splits = spec.Splits.Where(s => Directory.Exists(Path.Combine(root, s))).ToList();
        if (splits.Count == 0) return 0;
        return 1000 * splits.Count + splits.Sum(s => spec.Domains.Count(d => Directory.Exists(Path.Combine(root, s, d))));
    }

    /// <summary>Sub-folders, leaving out hidden ones (the resized cache, unpacking leftovers, macOS metadata).</summary>
    internal static string[] VisibleFolders(string dir) =>
        Directory.GetDirectories(dir).Where(d => !Path.GetFileName(d).StartsWith('.') && Path.GetFileName(d) != "__MACOSX")
                 .Order(StringComparer.Ordinal).ToArray();
}
