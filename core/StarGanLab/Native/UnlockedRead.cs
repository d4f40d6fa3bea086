using System.Runtime.InteropServices;
using System.Text;

namespace StarGanLab.Native;

/// <summary>Reads a small file that another process holds locked. .NET takes flock(LOCK_SH) on every file it opens for
/// reading and fails when someone holds LOCK_EX, so reading what a lock file says about its holder needs a plain
/// open(2)/read(2).</summary>
public static partial class UnlockedRead
{
    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);

    /// <summary>At most <paramref name="maxBytes"/> of <paramref name="path"/> as UTF-8; null when it cannot be read.</summary>
    public static unsafe string? Text(string path, int maxBytes = 4096)
    {
        if (OperatingSystem.IsWindows()) return null;
        int fd = Open(path, 0);   // O_RDONLY
        if (fd < 0) return null;
        try
        {
            var buffer = new byte[maxBytes];
            int total = 0;
            fixed (byte* p = buffer)
                for (nint n; total < maxBytes && (n = Read(fd, p + total, maxBytes - total)) > 0;) total += (int)n;
            return Encoding.UTF8.GetString(buffer, 0, total);
        }
        finally
        {
            Close(fd);
        }
    }
}
