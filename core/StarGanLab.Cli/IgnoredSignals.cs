using System.Runtime.InteropServices;

namespace StarGanLab.Cli;

/// <summary>Undoes an inherited "ignore SIGINT". A non-interactive shell starts background jobs (`stargan train ... &amp;`
/// in a script) with SIGINT and SIGQUIT ignored, and .NET leaves a signal that was ignored at startup ignored: its
/// handler is installed, but it drops what arrives, so PosixSignalRegistration never sees Ctrl-C or `kill -INT`.
/// Resetting SIGINT to its default before .NET installs its handlers (the first console or signal use) lets the
/// train verb stop such a run cleanly, as it does in the foreground.</summary>
static class IgnoredSignals
{
    const int SigInt = 2;
    static readonly IntPtr SigDfl = 0, SigIgn = 1;

    [DllImport("libc", EntryPoint = "sigaction")]
    static extern int SigAction(int signal, IntPtr action, IntPtr oldAction);

    [DllImport("libc", EntryPoint = "signal")]
    static extern IntPtr Signal(int signal, IntPtr handler);

    /// <summary>Must run first in Main, before anything touches the console.</summary>
    public static void RestoreSigInt()
    {
        if (OperatingSystem.IsWindows()) return;
        // struct sigaction begins with the handler on Linux and macOS; 512 bytes hold it on every ABI.
        IntPtr old = Marshal.AllocHGlobal(512);
        try
        {
            if (SigAction(SigInt, IntPtr.Zero, old) == 0 && Marshal.ReadIntPtr(old) == SigIgn)
                Signal(SigInt, SigDfl);
        }
        finally
        {
            Marshal.FreeHGlobal(old);
        }
    }
}
