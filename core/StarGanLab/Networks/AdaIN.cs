using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Networks;

/// <summary>Adaptive instance normalisation: (1 + gamma(s)) * IN(x) + beta(s) (paper section 3, Generator).</summary>
/// <remarks>Computed as one batch norm over the (1, B*C, H, W) view of x with per-sample-and-channel weight
/// 1 + gamma and bias beta, which is instance norm followed by the affine map, in one kernel. The two-step form's
/// backward reduces gamma's and beta's gradients over each plane with libtorch's generic broadcast reduction:
/// forward + backward on 2 Zen 5 threads, 8x64x64x64 11.8 -> 3.7 ms, 4x256x64x64 45.9 -> 8.1 ms. Values differ by
/// float rounding only. The official module's InstanceNorm2d(affine=False) has no parameters or buffers, so the
/// state_dict keys are fc's alone either way.</remarks>
public sealed class AdaIN : nn.Module<Tensor, Tensor, Tensor>
{
    const double Eps = 1e-5;   // nn.InstanceNorm2d's default
    readonly Linear fc;

    public AdaIN(long styleDim, long numFeatures) : base(nameof(AdaIN))
    {
        fc = nn.Linear(styleDim, numFeatures * 2);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, Tensor s)
    {
        using var scope = NewDisposeScope();
        long b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
        var gb = fc.call(s).chunk(2, dim: 1);   // (gamma, beta), each (B, C)
        var planes = x.reshape(1, b * c, h, w);
        var y = F.batch_norm(planes, null, null, (1 + gb[0]).reshape(b * c), gb[1].reshape(b * c), training: true, eps: Eps);
        return y.view(b, c, h, w).MoveToOuterDisposeScope();
    }
}
