using StarGanLab.Config;

namespace StarGanLab.Kernels;

/// <summary>What the guard decided for one set of networks: the route, whether the user forced it, and the check
/// results behind it (per route checked).</summary>
public sealed record KernelVerdict(ConvRoute Route, bool Forced, IReadOnlyDictionary<ConvRoute, IReadOnlyList<KernelCaseResult>> Checks)
{
    public bool Sound => Checks.TryGetValue(Route, out var r) && r.All(c => c.Pass);
}

/// <summary>A self-check found wrong kernels and no route avoids them.</summary>
public sealed class KernelFaultException(string message) : Exception(message);

/// <summary>Runs the kernel self-check before networks compute anything and routes convolutions around the kernels
/// it finds wrong. <c>auto</c>: the native route when every case passes; else the padded route when every case
/// passes there (said in one line); else an error that names the worst cases. A forced route is checked as well and
/// warned about when wrong. Verdicts are cached per machine fingerprint and network shapes
/// (<see cref="KernelVerdictCache"/>) and memoised per process.</summary>
public static class KernelGuard
{
    static readonly object Gate = new();
    static readonly Dictionary<string, KernelVerdict> Memo = [];
    static bool paddedInUse;
    static string? chosenSetting;

    /// <summary>Where the guard's one-line notices go (standard error by default).</summary>
    public static Action<string> Say { get; set; } = line => Console.Error.WriteLine(line);

    /// <summary>The setting when a caller passes none: the last one a caller passed in this process (a run's config),
    /// else $STARGAN_KERNELS, else auto.</summary>
    public static string DefaultSetting => chosenSetting
        ?? (Environment.GetEnvironmentVariable("STARGAN_KERNELS") is { Length: > 0 } s ? s : KernelSetting.Auto);

    /// <summary>Checks (or recalls) the kernels of <paramref name="model"/>'s networks and sets the process's route.
    /// With <paramref name="precision"/> bf16 the route must also compute the bfloat16 convolutions correctly.</summary>
    public static KernelVerdict Ensure(ModelConfig model, string? setting = null, ComputePrecision precision = ComputePrecision.Fp32)
    {
        var forced = KernelSetting.Parse(setting ?? DefaultSetting);   // a bad value is refused before it becomes the default
        string memoKey = $"{model}|{forced}|{precision}";
        lock (Gate)
        {
            if (setting != null) chosenSetting = setting;
            if (Memo.TryGetValue(memoKey, out var known) && (forced != null || !paddedInUse || known.Route == ConvRoute.Padded))
            {
                KernelRouting.Current = known.Route;
                return known;
            }
            var verdict = Decide(model, forced, KernelVerdictCache.Default(), ConvKernel.Libtorch, keepPadded: paddedInUse, Say, precision);
            Memo[memoKey] = verdict;
            KernelRouting.Current = verdict.Route;
            if (verdict.Route == ConvRoute.Padded && forced == null) paddedInUse = true;
            return verdict;
        }
    }

    /// <summary>What <see cref="Ensure(ModelConfig, string?)"/> would decide with an explicit cache and raw kernel, without
    /// touching the process's route or memory (tests stand in faulty kernels; only libtorch's verdicts are cached). Its
    /// one-line notices go to <paramref name="say"/>.</summary>
    public static KernelVerdict Verdict(ModelConfig model, string? setting, KernelVerdictCache? cache, RawConv raw, Action<string> say,
                                        ComputePrecision precision = ComputePrecision.Fp32) =>
        Decide(model, KernelSetting.Parse(setting ?? DefaultSetting), cache, raw, keepPadded: false, say, precision);

    static KernelVerdict Decide(ModelConfig model, ConvRoute? forced, KernelVerdictCache? cache, RawConv raw, bool keepPadded, Action<string> say,
                                ComputePrecision precision)
    {
        var checks = new Dictionary<ConvRoute, IReadOnlyList<KernelCaseResult>>();
        IReadOnlyList<KernelCaseResult> Check(ConvRoute route) => checks[route] = Checked(model, route, cache, raw, precision);

        if (forced is ConvRoute route)
        {
            var results = Check(route);
            if (results.Any(r => !r.Pass))
                say($"kernels: {KernelSetting.Name(route)} was chosen by hand, but {Describe(results)}; 'stargan doctor' shows every case");
            return new KernelVerdict(route, true, checks);
        }
        // Once one set of networks in this process needed the padded route, the others keep it: their tensors may
        // meet in one computation (a notebook comparing runs), and the padded route computes the same function.
        if (!keepPadded && Check(ConvRoute.Native).All(r => r.Pass))
            return new KernelVerdict(ConvRoute.Native, false, checks);
        var padded = Check(ConvRoute.Padded);
        if (padded.All(r => r.Pass))
        {
            if (!keepPadded && checks.TryGetValue(ConvRoute.Native, out var native))
                say($"kernels: this CPU's libtorch computes wrong convolutions ({Describe(native)}); convolutions take " +
                    "channel-padded kernels instead, which the same check finds correct (kernels: padded; 'stargan doctor' for details)");
            return new KernelVerdict(ConvRoute.Padded, false, checks);
        }
        if (precision == ComputePrecision.Bf16 && padded.Where(r => !r.Pass).All(r => r.Case.Family == KernelSelfCheck.Bf16Family))
            throw new KernelFaultException(
                $"train.precision: bf16: this CPU's libtorch computes wrong bfloat16 convolutions that no route avoids " +
                $"({Describe(padded)}); set train.precision: fp32 (its kernels pass the same check); 'stargan doctor CONFIG --set train.precision=bf16' shows every case");
        throw new KernelFaultException(
            $"kernels: this CPU's libtorch computes wrong results that no route avoids ({Describe(padded)}). " +
            $"Start again with the environment variable ONEDNN_MAX_CPU_ISA=SSE41 (oneDNN's slowest, correct kernels; now: {KernelFingerprint.IsaSetting()}), " +
            "or set kernels: native to train on them anyway; 'stargan doctor' shows every case");
    }

    /// <summary>The verdict this process holds for <paramref name="model"/> under the default setting, if any.</summary>
    public static KernelVerdict? Known(ModelConfig model, ComputePrecision precision = ComputePrecision.Fp32)
    {
        lock (Gate) return Memo.GetValueOrDefault($"{model}|{KernelSetting.Parse(DefaultSetting)}|{precision}");
    }

    /// <summary>The check's results for <paramref name="model"/> under <paramref name="route"/>: from the cache unless
    /// <paramref name="fresh"/> (then the cache is rewritten); does not change the process's route.</summary>
    public static List<KernelCaseResult> Results(ModelConfig model, ConvRoute route, bool fresh = false,
                                                 ComputePrecision precision = ComputePrecision.Fp32)
    {
        var cache = KernelVerdictCache.Default();
        if (fresh) cache.Forget(Key(model, route, precision));
        return Checked(model, route, cache, ConvKernel.Libtorch, precision);
    }

    // float32 keys are as before bf16 existed, so verdicts cached then still apply.
    static string Key(ModelConfig model, ConvRoute route, ComputePrecision precision) =>
        KernelFingerprint.Hash($"{KernelFingerprint.Machine()}\n{KernelSetting.Name(route)}\n{model}" +
                               (precision == ComputePrecision.Fp32 ? "" : $"\n{precision}"));

    /// <summary>The check's results for one route, from the cache when the machine, route and shapes match.</summary>
    static List<KernelCaseResult> Checked(ModelConfig model, ConvRoute route, KernelVerdictCache? cache, RawConv raw, ComputePrecision precision)
    {
        bool real = ReferenceEquals(raw, ConvKernel.Libtorch);
        // Keyed by the model config, which fixes the shapes, so a cached verdict costs no network to be built.
        string key = Key(model, route, precision);
        if (real && cache?.TryRead(key) is { } cached) return cached;
        var probes = KernelSelfCheck.Collect(model, precision);
        var results = KernelSelfCheck.Run(probes, route, raw);
        if (real) cache?.Write(key, KernelFingerprint.Machine(), route, model.ToString(), results);
        return results;
    }

    /// <summary>"3 of 41 cases wrong, worst 6.1e-01 of scale at conv2d 24->3 k3 s1 p1 at 8x8 (backward)".</summary>
    public static string Describe(IReadOnlyList<KernelCaseResult> results)
    {
        var bad = results.Where(r => !r.Pass).ToList();
        if (bad.Count == 0)
            return $"all {results.Count} cases within {KernelSelfCheck.Tolerance:0e0} of scale" +
                   (results.Any(r => r.Case.Family == KernelSelfCheck.Bf16Family) ? $" ({KernelSelfCheck.Bf16Family}: {KernelSelfCheck.Bf16Tolerance:0e0})" : "");
        var worst = bad.OrderByDescending(r => double.IsNaN(r.Worst) ? double.PositiveInfinity : r.Worst).First();
        string pass = double.IsNaN(worst.Forward) || worst.Forward > worst.Tolerance ? "forward"
            : double.IsNaN(worst.Backward) || worst.Backward > worst.Tolerance ? "backward" : "double backward";
        string size = double.IsNaN(worst.Worst) ? "NaN" : $"{worst.Worst:0.0e0} of scale";
        return $"{bad.Count} of {results.Count} cases wrong, worst {size} at {worst.Case.Family} {worst.Case.Shape} ({pass})";
    }
}
