using System.Runtime.InteropServices;

namespace StarGanLab.Native;

/// <summary>The canonical path of an existing file or folder: every symbolic link resolved, '.' and '..' taken as the
/// kernel takes them (after the link before them). Containment checks compare these, since Path.GetFullPath only
/// normalises the text and a link inside a folder can point anywhere.</summary>
public static partial class RealPath
{
    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr Resolve(string path, IntPtr resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(IntPtr pointer);

    /// <summary>Null when <paramref name="path"/> does not exist (or a link on the way dangles or loops).</summary>
    public static string? Of(string path)
    {
        string full = Path.GetFullPath(path);
        if (OperatingSystem.IsWindows())
            return File.Exists(full) || Directory.Exists(full) ? full : null;
        IntPtr p = Resolve(full, IntPtr.Zero);
        if (p == IntPtr.Zero) return null;
        try { return Marshal.PtrToStringUTF8(p); }
        finally { Free(p); }
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="folder"/> or lies inside it, both canonical.</summary>
    public static bool IsInside(string path, string folder) =>
        path == folder || path.StartsWith(folder.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
}
