using StarGanLab.Checkpoints;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace StarGanLab.Networks;

/// <summary>The face alignment network StarGAN v2 uses for its high-pass masks (official core/wing.py, adapted from
/// AdaptiveWingLoss): a CoordConv stem, three ConvBlocks, one hourglass of depth 4 and a 1x1 head giving 98 landmark
/// heatmaps plus one boundary heatmap at 64x64 for a 256x256 input in [0, 1]. Parameter names equal the official
/// ones, so the released wing.ckpt loads directly. Always used in eval mode (BatchNorm running statistics).</summary>
public sealed class Fan : nn.Module<Tensor, Tensor>
{
    public const int NumLandmarks = 98;
    public const int InputSize = 256;

    // Field order = official registration order, which fixes the state_dict order.
    readonly CoordConv conv1;
    readonly BatchNorm2d bn1;
    readonly ConvBlock conv2;
    readonly ConvBlock conv3;
    readonly ConvBlock conv4;
    readonly HourGlass m0;
    readonly ConvBlock top_m_0;
    readonly Conv conv_last0;
    readonly BatchNorm2d bn_end0;
    readonly Conv l0;

    public Fan(int numLandmarks = NumLandmarks) : base(nameof(Fan))
    {
        conv1 = new CoordConv(3, 64, kernelSize: 7, stride: 2, padding: 3);
        bn1 = nn.BatchNorm2d(64);
        conv2 = new ConvBlock(64, 128);
        conv3 = new ConvBlock(128, 128);
        conv4 = new ConvBlock(128, 256);
        m0 = new HourGlass(depth: 4, features: 256);
        top_m_0 = new ConvBlock(256, 256);
        conv_last0 = new Conv(256, 256, 1, 1, 0);
        bn_end0 = nn.BatchNorm2d(256);
        l0 = new Conv(256, numLandmarks + 1, 1, 1, 0);
        RegisterComponents();
    }

    /// <summary>(B, 3, 256, 256) in [0, 1] -> (B, landmarks + 1, 64, 64) raw heatmaps, the boundary channel last.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        x = F.relu(bn1.call(conv1.call(x)));
        x = F.avg_pool2d(conv2.call(x), 2, 2);
        x = conv4.call(conv3.call(x));
        var ll = top_m_0.call(m0.call(x));
        ll = F.relu(bn_end0.call(conv_last0.call(ll)));
        return l0.call(ll).MoveToOuterDisposeScope();
    }

    /// <summary>The official get_heatmap(x, b_preprocess=False): images in [-1, 1] of any size, bilinearly resized to
    /// 256 (align_corners false), mapped to [0, 1] and run in eval mode without gradients; the landmark heatmaps
    /// (B, 98, 64, 64), boundary channel dropped.</summary>
    public Tensor RawHeatmaps(Tensor images)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var x = F.interpolate(images, size: [InputSize, InputSize], mode: InterpolationMode.Bilinear, align_corners: false);
        var heatmaps = forward(x * 0.5 + 0.5);
        return heatmaps.narrow(1, 0, heatmaps.size(1) - 1).MoveToOuterDisposeScope();
    }

    /// <summary>The official get_heatmap(x): the two face masks (B, 1, 256, 256) for the generator's high-pass skips.
    /// Heatmaps are upsampled x4 (bilinear, align_corners true) before <see cref="HeatmapMasks.FromHeatmaps"/>.</summary>
    public FaceMasks Masks(Tensor images)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var heatmaps = RawHeatmaps(images);
        heatmaps = F.interpolate(heatmaps, size: [InputSize, InputSize], mode: InterpolationMode.Bilinear, align_corners: true);
        var (coarse, fine) = HeatmapMasks.FromHeatmaps(heatmaps);
        return new FaceMasks(coarse.MoveToOuterDisposeScope(), fine.MoveToOuterDisposeScope());
    }

    /// <summary>The official get_landmark(x): (B, 98, 2) landmark positions (x = column, y = row) in pixels of the input
    /// images, each the heatmap's arg-max refined by a quarter pixel towards the higher neighbour (see
    /// <see cref="HeatmapLandmarks"/>), scaled by input size / 64.</summary>
    public Tensor Landmarks(Tensor images)
    {
        using var scope = NewDisposeScope();
        var heatmaps = RawHeatmaps(images).cpu();
        // The official scales by the integer quotient size // 64, which is exact for the sizes align uses
        // (256, 512, 1024) but wrong for any other (0 below 64); the true ratio is used here.
        double scale = (double)images.size(2) / heatmaps.size(2);
        return (HeatmapLandmarks.Decode(heatmaps) * scale).MoveToOuterDisposeScope();
    }

    /// <summary>A FAN in eval mode with the weights of an official wing checkpoint ({'state_dict': FAN.state_dict()}).
    /// As the official loader, keys the FAN does not have are ignored (reported in one line through
    /// <paramref name="log"/>: the released file also holds other parts of the original landmark model); keys it lacks
    /// or mis-shaped tensors are a <see cref="CheckpointException"/>.</summary>
    public static Fan Load(string wingPath, Action<string> log)
    {
        const string why = "training with model.w_hpf > 0 (fan.wing_path) and face alignment need the official FAN weights, expr/checkpoints/wing.ckpt";
        if (string.IsNullOrWhiteSpace(wingPath))
            throw new ArgumentException($"no FAN checkpoint given: {why}", nameof(wingPath));
        if (!File.Exists(wingPath))
            throw new FileNotFoundException($"{wingPath}: FAN checkpoint not found; {why}", wingPath);

        IReadOnlyDictionary<string, Tensor> sd;
        try
        {
            sd = OfficialCheckpoint.ReadStateDict(wingPath, "state_dict");
        }
        catch (CheckpointException e)
        {
            throw new CheckpointException($"{e.Message} ({why}; a wing file is torch.save({{'state_dict': FAN.state_dict()}}))", e);
        }
        var fan = new Fan();
        try
        {
            var known = StateDicts.Of(fan);
            var ignored = sd.Keys.Where(k => !known.ContainsKey(k)).ToList();
            if (ignored.Count > 0)
                log($"{wingPath}: ignored {ignored.Count} key(s) the FAN does not use: {string.Join(", ", ignored.Take(8))}{(ignored.Count > 8 ? ", ..." : "")}");
            StateDicts.LoadStrict(fan, sd.Where(kv => known.ContainsKey(kv.Key)).ToDictionary(), $"{wingPath}[state_dict]");
        }
        catch
        {
            fan.Dispose();
            throw;
        }
        finally
        {
            foreach (var t in sd.Values) t.Dispose();
        }
        fan.eval();
        return fan;
    }
}
