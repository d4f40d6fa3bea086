namespace StarGanLab.Data;

/// <summary>What can be wrong with a data set folder.</summary>
public enum DataProblemKind
{
    /// <summary>A split folder (train, val, test) is missing.</summary>
    MissingSplit,
    /// <summary>A split lacks one of the data set's domain folders.</summary>
    MissingDomain,
    /// <summary>A split has a domain folder the data set does not have (it would change model.num_domains).</summary>
    UnexpectedDomain,
    /// <summary>A split, domain or the whole set holds a different number of images than published.</summary>
    CountMismatch,
    /// <summary>The file cannot be read or decoded.</summary>
    Corrupt,
    /// <summary>The same bytes as an earlier file of the same split.</summary>
    Duplicate,
    /// <summary>All pixels have equal channels (within the tolerance).</summary>
    Grayscale,
    /// <summary>Not the data set's image size.</summary>
    WrongSize,
    /// <summary>The same bytes as a file of another split: held-out images that were trained on.</summary>
    CrossSplit,
}

/// <summary>One finding; <see cref="Path"/> is the file or folder concerned (full path).</summary>
public sealed record DataProblem(DataProblemKind Kind, string Path, string Detail);

/// <summary>One split and domain of a checked data set. <see cref="Expected"/> is the published count of this cell when
/// there is one.</summary>
public sealed record DatasetCell(string Split, string Domain, int? Expected, int Found, int Corrupt, int Duplicates,
                                 int Gray, int WrongSize, int CrossSplit);

/// <summary>A published count held against what the folder has.</summary>
public sealed record CountCheck(ExpectedCount Expected, int Found)
{
    public bool Ok => Found == Expected.Count;
}

/// <summary>What <see cref="DatasetCheck.Run"/> found. The data set is usable as published when <see cref="Clean"/>.</summary>
public sealed record DatasetReport(DatasetSpec Spec, string Root, IReadOnlyList<DatasetCell> Cells,
                                   IReadOnlyList<CountCheck> Counts, IReadOnlyList<DataProblem> Problems)
{
    public bool Clean => Problems.Count == 0;
    public int Images => Cells.Sum(c => c.Found);
    public int Count(DataProblemKind kind) => Problems.Count(p => p.Kind == kind);
}

/// <summary>How <see cref="DatasetCheck.Run"/> reads images.</summary>
/// <param name="MaxPixels">Images whose header claims more pixels are corrupt (refused before decoding).</param>
/// <param name="GrayTolerance">Largest channel difference a pixel of a grayscale image may have.</param>
/// <param name="Threads">Files inspected at once (each holds one file and one small decode); 0: one per core.</param>
public sealed record DatasetCheckOptions(long MaxPixels = 67108864, int GrayTolerance = 2, int Threads = 0)
{
    /// <summary>The official ImageFolder extensions (png, jpg, jpeg), searched recursively as training does.</summary>
    public ImageFolderOptions Listing { get; init; } = new();
}
