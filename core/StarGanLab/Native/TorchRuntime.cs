using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace StarGanLab.Native;

/// <summary>
/// Loads TorchSharp's natives by absolute path before the first torch call.
/// Why: TorchSharp's loader first asks the OS for "torch_cpu" by name, and Debian's python3-torch
/// puts libtorch 1.13 on the system path, which then shadows our libtorch 2.10. libLibTorchSharp.so
/// has RUNPATH $ORIGIN, so dlopen-ing it by path pins libtorch_cpu/libc10 to the same folder, and later
/// by-name lookups resolve to those already-loaded SONAMEs.
/// Also patches the GLIBCXX weak-version need when the natives were copied somewhere the build did not
/// patch (TorchSharp's "consolidation" into a cpu/ folder for F# scripts and notebooks).
/// </summary>
public static class TorchRuntime
{
    static readonly object Gate = new();
    static string? loadedFrom;

    /// <summary>The folder our libLibTorchSharp.so was loaded from (null before <see cref="EnsureLoaded"/>).</summary>
    public static string? NativeDirectory => loadedFrom;

    public static readonly string[] WeakVersions = ["GLIBCXX_3.4.32"];

    /// <summary>Idempotent. Throws with the folders searched when no native library is found.</summary>
    public static void EnsureLoaded()
    {
        if (loadedFrom != null) return;
        lock (Gate)
        {
            if (loadedFrom != null) return;
            if (!OperatingSystem.IsLinux())
            {
                loadedFrom = "";   // other platforms: TorchSharp's own loader has no system-libtorch clash to avoid
                return;
            }
            string torchDir = Path.GetDirectoryName(typeof(torch).Assembly.Location) ?? AppContext.BaseDirectory;
            string[] candidates =
            [
                torchDir,
                Path.Combine(torchDir, "runtimes", "linux-x64", "native"),
                Path.Combine(torchDir, "cpu"),
                AppContext.BaseDirectory,
            ];
            foreach (string dir in candidates)
            {
                string lib = Path.Combine(dir, "libLibTorchSharp.so");
                if (!File.Exists(lib) || !File.Exists(Path.Combine(dir, "libtorch_cpu.so")) && !File.Exists(Path.Combine(dir, "libtorch_cuda.so")))
                    continue;
                if (ElfVersionPatcher.Weaken(lib, WeakVersions, dryRun: true).Patched > 0)
                    ElfVersionPatcher.Weaken(lib, WeakVersions);
                MallocTuning.Apply();   // before libtorch allocates anything
                NativeLibrary.Load(lib);
                loadedFrom = dir;
                Nnpack.DisableWhereUnsupported(dir);   // else libtorch logs a warning per large-batch convolution
                return;
            }
            throw new DllNotFoundException(
                "TorchSharp natives (libLibTorchSharp.so with libtorch_cpu.so) were not found in: " +
                string.Join(", ", candidates.Distinct()) +
                ". Build or publish with a linux-x64 runtime identifier so they sit beside TorchSharp.dll.");
        }
    }

    static int defaultThreads;

    /// <summary>libtorch's own intra-op thread count (its default: the cores it sees, or OMP_NUM_THREADS), read the first
    /// time this library sets torch up (a training session, a loaded model, a benchmark), before it changes anything.</summary>
    public static int DefaultThreads
    {
        get
        {
            EnsureLoaded();
            lock (Gate)
            {
                if (defaultThreads == 0) defaultThreads = torch.get_num_threads();
                return defaultThreads;
            }
        }
    }

    /// <summary>threads: 0 means "the cores that are idle now": libtorch's default count (every core) collapses when
    /// another process is busy, as each of its parallel regions waits for a thread the scheduler has parked (measured
    /// on 2 cores beside one CPU-bound process: 2 threads 5 to 40 times slower per step than 1; see
    /// docs/performance.md). So the count is the idle cores over a short sample, rounded, between 1 and the default;
    /// a training run writes the number it got into its config.yaml, so its resume uses the same and stays bit-exact.
    /// An explicit count is returned as it is.</summary>
    public static int ResolveThreads(int threads, Action<string>? log = null)
    {
        if (threads > 0) return threads;
        int standard = DefaultThreads;
        double? idle = CpuIdle.Cores(TimeSpan.FromMilliseconds(200));
        int count = idle is { } i ? Math.Clamp((int)Math.Floor(i + 0.3), 1, standard) : standard;
        log?.Invoke($"threads: {count} (threads 0 takes the idle cores: {(idle is { } x ? $"{x:F1} of {Environment.ProcessorCount}" : "unknown")} " +
                    "were idle; set threads: N to choose)");
        return count;
    }

    /// <summary>Loads the natives, sets the thread count (0: <see cref="ResolveThreads"/>) and returns the device.</summary>
    /// <remarks>The count is process-wide and is always set, also to the default: otherwise a session with
    /// threads 0 after one with threads 1 in the same process (a notebook, a script, the tests) would silently
    /// keep one thread, and its float sums would no longer match the same run made on its own.</remarks>
    public static torch.Device Initialize(string device = "auto", int threads = 0)
    {
        _ = DefaultThreads;   // read before the first change, so it records libtorch's own count
        int count = ResolveThreads(threads);
        if (torch.get_num_threads() != count) torch.set_num_threads(count);
        return ResolveDevice(device);
    }

    /// <summary>auto: CUDA when available, else CPU.</summary>
    public static torch.Device ResolveDevice(string device)
    {
        EnsureLoaded();
        return device.ToLowerInvariant() switch
        {
            "auto" => torch.cuda.is_available() ? torch.CUDA : torch.CPU,
            "cpu" => torch.CPU,
            "cuda" => torch.cuda.is_available()
                ? torch.CUDA
                : throw new ArgumentException("device 'cuda' was requested but CUDA is not available (this build uses the TorchSharp backend selected by -p:TorchBackend; the default is cpu)"),
            _ when device.StartsWith("cuda:", StringComparison.OrdinalIgnoreCase) => new torch.Device(device),
            _ => throw new ArgumentException($"device '{device}' is not one of auto, cpu, cuda, cuda:N"),
        };
    }
}
