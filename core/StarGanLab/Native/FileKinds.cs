using System.Runtime.InteropServices;

namespace StarGanLab.Native;

/// <summary>What a path is on disk. Anything but <see cref="Regular"/> must not be opened as data: opening a FIFO
/// blocks until a writer comes, a device can be read forever, a socket cannot be opened at all.</summary>
public enum FileKind { Missing, Regular, Directory, SymbolicLink, Fifo, Socket, CharacterDevice, BlockDevice, Unknown }

/// <summary>The kind of a path, found without opening it. .NET has no public API for it (FileSystemInfo calls a FIFO
/// or a device a normal file), so on Linux this asks statx(2), whose struct has the same layout on every
/// architecture; elsewhere only what .NET can tell (missing, directory, regular).</summary>
public static partial class FileKinds
{
    const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100, StatxType = 0x1, ENOENT = 2, ENOTDIR = 20, ELOOP = 40;
    const int StatxModeOffset = 28, StatxSize = 256;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    /// <summary>The kind of <paramref name="path"/>, or of what it links to when <paramref name="followLinks"/> (a link
    /// whose target is missing, or a chain of links that loops, is then <see cref="FileKind.Missing"/>).</summary>
    public static unsafe FileKind Of(string path, bool followLinks = true)
    {
        if (!OperatingSystem.IsLinux())
            return Directory.Exists(path) ? FileKind.Directory : File.Exists(path) ? FileKind.Regular : FileKind.Missing;
        byte* buffer = stackalloc byte[StatxSize];
        if (Statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxType, buffer) != 0)
            return Marshal.GetLastPInvokeError() is ENOENT or ENOTDIR or ELOOP ? FileKind.Missing : FileKind.Unknown;
        return (*(ushort*)(buffer + StatxModeOffset) & 0xF000) switch
        {
            0x8000 => FileKind.Regular,
            0x4000 => FileKind.Directory,
            0xA000 => FileKind.SymbolicLink,
            0x1000 => FileKind.Fifo,
            0xC000 => FileKind.Socket,
            0x2000 => FileKind.CharacterDevice,
            0x6000 => FileKind.BlockDevice,
            _ => FileKind.Unknown,
        };
    }

    /// <summary>Null when <paramref name="path"/> (through its links) is a regular file, or does not exist at all (which
    /// opening it reports); else what it is instead, in words for an error or warning ("a FIFO (named pipe)", ...).</summary>
    public static string? NotARegularFile(string path) => Of(path) switch
    {
        FileKind.Regular => null,
        FileKind.Missing => Of(path, followLinks: false) == FileKind.SymbolicLink ? "a dangling symbolic link (its target does not exist, or links loop)" : null,
        FileKind.Directory => "a directory",
        FileKind.Fifo => "a FIFO (named pipe): reading it would wait for a writer forever",
        FileKind.Socket => "a socket",
        FileKind.CharacterDevice => "a character device: reading it may never end",
        FileKind.BlockDevice => "a block device",
        _ => "not a regular file (or its type cannot be read)",
    };
}
