using StarGanLab.Networks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Metrics.GroundTruth;

/// <summary>The oracle's raw outputs for a batch: domain logits (B, D), normalised content (B, 4: x, y, scale, tilt in
/// [0, 1] over their ranges), style (B, 6: fur RGB then background RGB in [0, 1]) and texture-kind logits (B, 3).</summary>
public sealed record OracleOutputs(Tensor DomainLogits, Tensor Content, Tensor Style, Tensor TextureLogits) : IDisposable
{
    public void Dispose()
    {
        DomainLogits.Dispose(); Content.Dispose(); Style.Dispose(); TextureLogits.Dispose();
    }
}

/// <summary>
/// A small plain CNN: pixel coordinates appended to the image (CoordConv), two 3x3 convs at full and at half
/// resolution, one at quarter resolution, a 4x4 average-pooled grid, one hidden linear layer and four heads. Images
/// larger than <see cref="WorkingSize"/> are area-averaged down to it first: the synthetic set is designed to be
/// readable at 32 px, and this keeps the oracle's cost independent of the model's image size. No normalisation layers
/// (batch norm trained worse here in the same budget), so one image's prediction never depends on the others in its batch.
/// </summary>
public sealed class OracleNet : nn.Module<Tensor, OracleOutputs>
{
    public const int WorkingSize = 32;
    public const int ContentDims = 4;
    public const int StyleDims = 6;

    readonly Sequential trunk;
    readonly Linear hidden;
    readonly Linear domainHead, contentHead, styleHead, textureHead;

    public int Domains { get; }

    public OracleNet(int domains, int width) : base(nameof(OracleNet))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(domains, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        Domains = domains;
        int w1 = width, w2 = 2 * width, w3 = 4 * width;
        trunk = nn.Sequential(
            new Conv(3 + 2, w1, 3, 1, 1), nn.ReLU(), new Conv(w1, w1, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2),
            new Conv(w1, w2, 3, 1, 1), nn.ReLU(), new Conv(w2, w2, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2),
            new Conv(w2, w3, 3, 1, 1), nn.ReLU(),
            // A fixed 4x4 grid rather than global pooling: position is one of the factors to read off.
            nn.AdaptiveAvgPool2d(4));
        int inCh = w3;
        hidden = nn.Linear(inCh * 16, 8 * width);
        domainHead = nn.Linear(8 * width, domains);
        contentHead = nn.Linear(8 * width, ContentDims);
        styleHead = nn.Linear(8 * width, StyleDims);
        textureHead = nn.Linear(8 * width, Data.SyntheticFactors.TextureKinds);
        RegisterComponents();
    }

    public override OracleOutputs forward(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = images.size(-1) > WorkingSize ? F.adaptive_avg_pool2d(images, WorkingSize) : images;
        var h = trunk.call(WithCoordinates(x)).flatten(1);
        h = F.relu(hidden.call(h));
        return new OracleOutputs(
            domainHead.call(h).MoveToOuterDisposeScope(), contentHead.call(h).MoveToOuterDisposeScope(),
            styleHead.call(h).MoveToOuterDisposeScope(), textureHead.call(h).MoveToOuterDisposeScope());
    }

    /// <summary>Appends two channels holding each pixel's x and y in [-1, 1] (CoordConv): position is then a feature the
    /// first layer sees, not something the network must infer from padding, so content is learnt from far fewer images.</summary>
    static Tensor WithCoordinates(Tensor x)
    {
        long n = x.size(0), h = x.size(2), w = x.size(3);
        var xs = linspace(-1, 1, w, dtype: x.dtype, device: x.device).view(1, 1, 1, w).expand(n, 1, h, w);
        var ys = linspace(-1, 1, h, dtype: x.dtype, device: x.device).view(1, 1, h, 1).expand(n, 1, h, w);
        return cat([x, xs, ys], 1);
    }

    /// <summary>He-initialised from <paramref name="rng"/>, never torch's global generator: the oracle may be built in
    /// the middle of a training run whose random stream must not move.</summary>
    public void Initialize(torch.Generator rng) => Networks.HeInit.Apply(this, rng);
}
