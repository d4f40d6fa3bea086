namespace StarGanLab.Data;

/// <summary>How an ImageFolder root is scanned.</summary>
/// <param name="MaxPixels">Images whose header claims more pixels are refused before decoding (decompression bombs).</param>
/// <param name="Extensions">File endings taken as images, compared case-insensitively (the official set: png, jpg, jpeg).</param>
/// <param name="Recursive">Search sub-folders of each domain folder too, as the official rglob does.</param>
/// <param name="VerifyOnOpen">Decode every file once while scanning (at the codec's smallest scale, so cheap for JPEG),
/// so truncated files are found and skipped up front instead of failing mid-training.</param>
public sealed record ImageFolderOptions(
    long MaxPixels = 8192L * 8192L,
    IReadOnlyList<string>? Extensions = null,
    bool Recursive = true,
    bool VerifyOnOpen = true)
{
    public static readonly IReadOnlyList<string> DefaultExtensions = [".png", ".jpg", ".jpeg"];
    public IReadOnlyList<string> ImageExtensions => Extensions ?? DefaultExtensions;
}
