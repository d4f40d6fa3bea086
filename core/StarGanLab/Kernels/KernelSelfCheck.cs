using StarGanLab.Config;
using StarGanLab.Networks;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Kernels;

/// <summary>Runs each op family the configured networks use, forward, backward and double backward, in float32
/// under a convolution route and in float64 (which libtorch computes without oneDNN), and reports the worst
/// error per case. The convolution shapes are the ones the networks actually call (traced from one forward pass,
/// the fused resampling convolutions included), at a small batch and spatial size: the faults seen depend on
/// channel counts and on the batch, not on the image size.</summary>
public static class KernelSelfCheck
{
    /// <summary>Healthy float32 kernels stay near 1e-6 of scale on these shapes; the oneDNN fault is 1e-1 and more.</summary>
    public const double Tolerance = 1e-4;
    /// <summary>For the bfloat16 convolutions (train.precision: bf16). bfloat16 keeps 8 significant bits, so rounding
    /// the inputs alone moves each product by up to 2^-9; BF16_MEASURED.</summary>
    public const double Bf16Tolerance = 3e-2;
    /// <summary>The family of the bfloat16 convolution cases.</summary>
    public const string Bf16Family = "conv2d bf16";
    // Odd and not a multiple of 16: the 1x1 double-backward fault shows at every batch that is not a multiple of 16.
    const long Batch = 3;

    /// <summary>The distinct cases of <paramref name="model"/>'s networks.</summary>
    public static IReadOnlyList<KernelCase> CasesFor(ModelConfig model, ComputePrecision precision = ComputePrecision.Fp32) =>
        Describe(Collect(model, precision));

    public static List<KernelCaseResult> Run(ModelConfig model, ConvRoute route, RawConv? raw = null,
                                             ComputePrecision precision = ComputePrecision.Fp32) =>
        Run(Collect(model, precision), route, raw ?? ConvKernel.Libtorch);

    internal static List<KernelCaseResult> Run(List<Probe> probes, ConvRoute route, RawConv raw)
    {
        using var _ = enable_grad();
        var gen = new TorchSharp.torch.Generator(20201);
        // One GC-free region per probe: every check runs at each training start and in doctor (see NoGcRegion).
        return probes.Select(p =>
        {
            using var gcHeldOff = new Native.NoGcRegion();
            return p.Measure(route, raw, gen);
        }).ToList();
    }

    static IReadOnlyList<KernelCase> Describe(List<Probe> probes) => probes.Select(p => p.Case).ToList();

    /// <summary>An op at one shape, measured in float32 and float64.</summary>
    internal abstract record Probe(KernelCase Case)
    {
        public abstract KernelCaseResult Measure(ConvRoute route, RawConv raw, TorchSharp.torch.Generator gen);
    }

    /// <summary>The cases of <paramref name="model"/>'s networks; with bf16, every convolution shape once more in
    /// bfloat16 (family "conv2d bf16"), forward and backward: the training step runs them so, while R1's double
    /// backward stays float32 and is checked by the float32 cases.</summary>
    internal static List<Probe> Collect(ModelConfig model, ComputePrecision precision = ComputePrecision.Fp32)
    {
        var probes = new List<Probe>();
        var seen = new HashSet<string>();
        void Add(Probe p) { if (seen.Add(p.Case.Family + " " + p.Case.Shape)) probes.Add(p); }
        foreach (var s in TraceConvolutions(model))
        {
            long size = Math.Max(s.Kernel, s.In * s.Out >= 128 * 128 ? 4 : 8);
            long h = Math.Min(s.Height, size), w = Math.Min(s.Width, size);
            Add(new ConvProbe(s.In, s.Out, s.Kernel, s.Stride, s.Padding, s.Groups, h, w));
            if (s.Groups == 1) Add(new NormProbe(s.Out, 8));
        }
        foreach (long c in probes.OfType<ConvProbe>().Select(p => p.Out).Distinct().ToList())
        {
            Add(new PoolProbe(c, 8));
            Add(new UpsampleProbe(c, 4));
        }
        long hidden = model.MappingHidden, style = Math.Max(1, model.StyleDim);
        Add(new LinearProbe(model.LatentDim + model.NumDomains, hidden));
        Add(new LinearProbe(model.LatentDim, hidden));
        Add(new LinearProbe(hidden, hidden));
        Add(new LinearProbe(hidden, style));
        Add(new LinearProbe(Math.Min(model.MaxConvDim, model.WidthConst / model.ImgSize * (model.ImgSize / 4)), style));
        if (precision == ComputePrecision.Bf16)
            foreach (var c in probes.OfType<ConvProbe>().ToList())
                Add(new ConvProbe(c.In, c.Out, c.K, c.Stride, c.Padding, c.Groups, c.H, c.W, Bf16: true));
        return probes;
    }

    /// <summary>The shapes of every convolution one forward pass of G, F, E and D (and the FAN with w_hpf) makes.</summary>
    static List<ConvShape> TraceConvolutions(ModelConfig model)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var shapes = ConvKernel.Trace(() =>
        {
            using var nets = StarGanNets.CreateUnguarded(model, withDiscriminator: true);
            var x = zeros(1, 3, model.ImgSize, model.ImgSize);
            var y = zeros(1, dtype: int64);
            var s = nets.LatentStyle(zeros(1, model.LatentDim), y);
            FaceMasks? masks = model.WHpf > 0 ? new FaceMasks(ones(1, 1, 32, 32), ones(1, 1, 64, 64)) : null;
            nets.Generator.forward(x, s, masks);
            if (model.HasReferences()) nets.ReferenceStyle(x, y);
            nets.Discriminator!.call(x, y);
            if (model.WHpf > 0)
            {
                using var fan = new Fan();
                fan.eval();
                fan.call(zeros(1, 3, 64, 64));
            }
        });
        return shapes;
    }

    static double RelError(Tensor ours, Tensor reference)
    {
        using var scope = NewDisposeScope();
        double scale = reference.abs().max().item<double>();
        double diff = (ours.to(float64) - reference).abs().max().item<double>();
        return diff / Math.Max(scale, 1e-30);
    }

    /// <summary>Runs <paramref name="op"/> (inputs -> output) in float32 and <paramref name="reference"/> (the same
    /// function by libtorch's own kernels, default <paramref name="op"/>) in float64: forward, the gradients of
    /// &lt;output, g&gt; for every input, and the gradients of the squared first gradient (R1's double backward).</summary>
    static KernelCaseResult Compare(KernelCase c, Tensor[] inputs, Func<Tensor[], Tensor> op, TorchSharp.torch.Generator gen,
                                    Func<Tensor[], Tensor>? reference = null, bool secondOrder = true, double tolerance = Tolerance)
    {
        using var scope = NewDisposeScope();
        // allow_unused gives an input that an output does not depend on (the bias in the double backward) as null or
        // as a tensor without a handle.
        static Tensor? Used(Tensor? t) => t is null || t.IsInvalid ? null : t.detach();
        (Tensor Y, Tensor?[] G, Tensor?[] GG) Pass(ScalarType dtype, Tensor? upstream)
        {
            var xs = inputs.Select(t => t.to(dtype).detach().requires_grad_(true)).ToArray();
            var y = dtype == float64 ? (reference ?? op)(xs) : op(xs);
            var g = autograd.grad([y], xs, [upstream!.to(dtype)], retain_graph: true, create_graph: true, allow_unused: true);
            if (!secondOrder) return (y.detach(), g.Select(Used).ToArray(), new Tensor?[xs.Length]);
            var first = g[0];
            var gg = autograd.grad([first.pow(2).sum()], xs, allow_unused: true);
            return (y.detach(), g.Select(Used).ToArray(), gg.Select(Used).ToArray());
        }
        Tensor up;
        using (no_grad()) { var probe = op(inputs); up = randn(probe.shape, generator: gen); }
        var a = Pass(float32, up);
        var b = Pass(float64, up);
        double fwd = RelError(a.Y, b.Y);
        double bwd = 0, dbl = 0;
        for (int i = 0; i < inputs.Length; i++)
        {
            if (a.G[i] is { } ga && b.G[i] is { } gb) bwd = Max(bwd, RelError(ga, gb));
            if (a.GG[i] is { } gga && b.GG[i] is { } ggb) dbl = Max(dbl, RelError(gga, ggb));
        }
        return new KernelCaseResult(c, fwd, bwd, dbl, tolerance);
    }

    // NaN-propagating max: a NaN error must fail the case, never vanish in a comparison.
    static double Max(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b);

    sealed record ConvProbe(long In, long Out, long K, long Stride, long Padding, long Groups, long H, long W, bool Bf16 = false)
        : Probe(new KernelCase(Bf16 ? Bf16Family : "conv2d", $"{In}->{Out} k{K} s{Stride} p{Padding}{(Groups > 1 ? $" groups {Groups}" : "")} at {H}x{W}"))
    {
        public override KernelCaseResult Measure(ConvRoute route, RawConv raw, TorchSharp.torch.Generator gen)
        {
            using var scope = NewDisposeScope();
            long fanIn = In / Groups * K * K;
            var x = randn([Batch, In, H, W], generator: gen);
            var w = randn([Out, In / Groups, K, K], generator: gen) / Math.Sqrt(fanIn);
            var b = randn([Out], generator: gen);
            KernelCaseResult Run() => Compare(Case, [x, w, b], t => ConvKernel.Apply(t[0], t[1], t[2], Stride, Padding, Groups, route, raw), gen,
                                              reference: t => ConvKernel.Libtorch(t[0], t[1], t[2], Stride, Padding, Groups));
            if (Bf16)
                using (ConvKernel.InBf16())
                    return Compare(Case, [x, w, b], t => ConvKernel.Apply(t[0], t[1], t[2], Stride, Padding, Groups, route, raw), gen,
                                   reference: t => ConvKernel.Libtorch(t[0], t[1], t[2], Stride, Padding, Groups),
                                   secondOrder: false, tolerance: Bf16Tolerance);
            if (K != 1) return Run();
            // The networks differentiate a 1x1 convolution twice only where they mark it (R1, the gradient penalty),
            // so its forward and backward are checked as called elsewhere and its double backward as called there.
            var once = Run();
            KernelCaseResult twice;
            using (ConvKernel.TwiceDifferentiated()) twice = Run();
            return twice with { Forward = Max(once.Forward, twice.Forward), Backward = Max(once.Backward, twice.Backward) };
        }
    }

    sealed record NormProbe(long C, long Size) : Probe(new KernelCase("instance_norm", $"{C} channels at {Size}x{Size}"))
    {
        public override KernelCaseResult Measure(ConvRoute route, RawConv raw, TorchSharp.torch.Generator gen)
        {
            using var scope = NewDisposeScope();
            var x = randn([Batch, C, Size, Size], generator: gen);
            var gamma = 1 + 0.1 * randn([C], generator: gen);
            var beta = 0.1 * randn([C], generator: gen);
            return Compare(Case, [x, gamma, beta], t => F.instance_norm(t[0], weight: t[1], bias: t[2], eps: 1e-5), gen);
        }
    }

    sealed record LinearProbe(long In, long Out) : Probe(new KernelCase("linear", $"{In}->{Out}"))
    {
        public override KernelCaseResult Measure(ConvRoute route, RawConv raw, TorchSharp.torch.Generator gen)
        {
            using var scope = NewDisposeScope();
            var x = randn([Batch, In], generator: gen);
            var w = randn([Out, In], generator: gen) / Math.Sqrt(In);
            var b = randn([Out], generator: gen);
            return Compare(Case, [x, w, b], t => F.leaky_relu(F.linear(t[0], t[1], t[2]), 0.2), gen);
        }
    }

    sealed record PoolProbe(long C, long Size) : Probe(new KernelCase("avg_pool2d", $"{C} channels at {Size}x{Size}"))
    {
        public override KernelCaseResult Measure(ConvRoute route, RawConv raw, TorchSharp.torch.Generator gen)
        {
            using var scope = NewDisposeScope();
            var x = randn([Batch, C, Size, Size], generator: gen);
            return Compare(Case, [x], t => F.avg_pool2d(t[0], 2) * t[0].narrow(2, 0, Size / 2).narrow(3, 0, Size / 2), gen);
        }
    }

    sealed record UpsampleProbe(long C, long Size) : Probe(new KernelCase("upsample2x", $"{C} channels at {Size}x{Size}"))
    {
        public override KernelCaseResult Measure(ConvRoute route, RawConv raw, TorchSharp.torch.Generator gen)
        {
            using var scope = NewDisposeScope();
            var x = randn([Batch, C, Size, Size], generator: gen);
            return Compare(Case, [x], t => NearestUpsample.Twice(t[0]).pow(2), gen);
        }
    }
}
