namespace StarGanLab.Data;

/// <summary>
/// Checks an unpacked data set against its spec: the split and domain folders, the published counts, and every image
/// (read once, in parallel on <see cref="DatasetCheckOptions.Threads"/> threads, each holding one file at a time):
/// unreadable or corrupt files, exact duplicates within a split, files of one split repeated in another (held-out
/// images that were trained on), grayscale images and images not of the data set's size.
/// </summary>
public static class DatasetCheck
{
    sealed record Listed(string Split, string Domain, string Path);

    /// <param name="spec">The data set; null: detect it among <paramref name="candidates"/> (default: the published ones).</param>
    /// <param name="progress">Called with (files inspected, files in all), from worker threads.</param>
    public static DatasetReport Run(string dir, DatasetSpec? spec = null, DatasetCheckOptions? options = null,
                                   Action<int, int>? progress = null, IReadOnlyList<DatasetSpec>? candidates = null)
    {
        options ??= new();
        var (root, ds) = DatasetLocator.Locate(dir, spec, candidates ?? PublishedDatasets.All);
        var problems = new List<DataProblem>();
        var cells = new List<(string Split, string Domain)>();
        var files = new List<Listed>();
        foreach (string split in ds.Splits)
        {
            string splitDir = Path.Combine(root, split);
            if (!Directory.Exists(splitDir))
            {
                problems.Add(new(DataProblemKind.MissingSplit, splitDir, $"split folder '{split}' is missing (expected {string.Join(", ", ds.Splits)})"));
                continue;
            }
            var present = DatasetLocator.VisibleFolders(splitDir).Select(d => Path.GetFileName(d)!).ToHashSet(StringComparer.Ordinal);
            foreach (string domain in ds.Domains.Where(d => !present.Contains(d)))
                problems.Add(new(DataProblemKind.MissingDomain, Path.Combine(splitDir, domain), $"domain folder '{split}/{domain}' is missing"));
            foreach (string extra in present.Where(p => !ds.Domains.Contains(p)).Order(StringComparer.Ordinal))
                problems.Add(new(DataProblemKind.UnexpectedDomain, Path.Combine(splitDir, extra),
                    $"'{split}/{extra}' is not a domain of {ds.Name} ({string.Join(", ", ds.Domains)}); training would count it as one"));
            foreach (string domain in ds.Domains.Concat(present.Where(p => !ds.Domains.Contains(p)).Order(StringComparer.Ordinal)))
            {
                cells.Add((split, domain));
                string domainDir = Path.Combine(splitDir, domain);
                if (Directory.Exists(domainDir))
                    files.AddRange(ImageFolderListing.Images(domainDir, options.Listing).Select(f => new Listed(split, domain, f.Path)));
            }
        }

        var facts = Inspect(files, options, progress);
        var flagged = new Dictionary<(DataProblemKind, string), DataProblem>();
        void Flag(DataProblemKind kind, string path, string detail) => flagged.TryAdd((kind, path), new(kind, path, detail));
        for (int i = 0; i < files.Count; i++)
        {
            var (f, x) = (files[i], facts[i]);
            if (x.Problem is not null) Flag(DataProblemKind.Corrupt, f.Path, x.Problem);
            else
            {
                if (x.Width != ds.ImageSize || x.Height != ds.ImageSize)
                    Flag(DataProblemKind.WrongSize, f.Path, $"{x.Width}x{x.Height}, expected {ds.ImageSize}x{ds.ImageSize}");
                if (x.Gray) Flag(DataProblemKind.Grayscale, f.Path, "grayscale (all channels equal)");
            }
        }
        foreach (var group in Enumerable.Range(0, files.Count).Where(i => facts[i].Sha256 is not null)
                                        .GroupBy(i => facts[i].Sha256!).Where(g => g.Count() > 1))
        {
            var members = group.OrderBy(i => files[i].Path, StringComparer.Ordinal).ToList();
            foreach (var bySplit in members.GroupBy(i => files[i].Split))
                foreach (int i in bySplit.Skip(1))
                    Flag(DataProblemKind.Duplicate, files[i].Path, $"same content as '{files[bySplit.First()].Path}'");
            if (members.Select(i => files[i].Split).Distinct().Count() > 1)
                foreach (int i in members)
                    Flag(DataProblemKind.CrossSplit, files[i].Path, "same content as " + string.Join(", ",
                        members.Where(j => files[j].Split != files[i].Split).Select(j => $"'{files[j].Path}' ({files[j].Split})")));
        }
        problems.AddRange(flagged.Values);

        var counts = ds.Counts.Select(c => new CountCheck(c, files.Count(f => c.Covers(f.Split, f.Domain)))).ToList();
        foreach (var c in counts.Where(c => !c.Ok))
            problems.Add(new(DataProblemKind.CountMismatch, c.Expected.Split is null ? root : Path.Combine(root, c.Expected.Split, c.Expected.Domain ?? ""),
                $"{c.Expected.Scope}: {c.Found} images, published {c.Expected.Count} ({c.Expected.Source})"));

        var byCell = files.GroupBy(f => (f.Split, f.Domain)).ToDictionary(g => g.Key, g => g.Select(f => f.Path).ToHashSet(StringComparer.Ordinal));
        var report = cells.Select(c =>
        {
            var paths = byCell.GetValueOrDefault(c) ?? [];
            int Kind(DataProblemKind k) => flagged.Values.Count(p => p.Kind == k && paths.Contains(p.Path));
            int? expected = ds.Counts.FirstOrDefault(e => e.Split == c.Split && e.Domain == c.Domain)?.Count;
            return new DatasetCell(c.Split, c.Domain, expected, paths.Count, Kind(DataProblemKind.Corrupt), Kind(DataProblemKind.Duplicate),
                                   Kind(DataProblemKind.Grayscale), Kind(DataProblemKind.WrongSize), Kind(DataProblemKind.CrossSplit));
        }).ToList();
        var ordered = problems.OrderBy(p => p.Kind).ThenBy(p => p.Path, StringComparer.Ordinal).ToList();
        return new DatasetReport(ds, root, report, counts, ordered);
    }

    static ImageFacts[] Inspect(List<Listed> files, DatasetCheckOptions options, Action<int, int>? progress)
    {
        var facts = new ImageFacts[files.Count];
        int done = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads > 0 ? options.Threads : Environment.ProcessorCount };
        Parallel.For(0, files.Count, parallel, i =>
        {
            facts[i] = ImageInspector.Inspect(files[i].Path, options.MaxPixels, options.GrayTolerance);
            progress?.Invoke(Interlocked.Increment(ref done), files.Count);
        });
        return facts;
    }
}
