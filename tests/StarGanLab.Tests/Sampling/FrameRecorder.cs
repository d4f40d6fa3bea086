using Xunit;
using StarGanLab.Sampling;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Tests.Sampling;

/// <summary>A sink that keeps nothing but what a test asserts: frame sizes, the live tensor count at each frame, and
/// optionally copies of chosen frames.</summary>
sealed class FrameRecorder(params int[] keep) : IFrameSink
{
    public List<(long H, long W)> Sizes { get; } = [];
    public List<long> LiveTensors { get; } = [];
    public Dictionary<int, Tensor> Kept { get; } = [];

    public void Add(Tensor frame)
    {
        Assert.Equal(3, frame.size(0));
        LiveTensors.Add(DisposeScopeManager.Statistics.ThreadTotalLiveCount - Kept.Count);   // not counting our own copies
        if (keep.Contains(Sizes.Count)) Kept[Sizes.Count] = frame.detach().clone().DetachFromDisposeScope();
        Sizes.Add((frame.size(1), frame.size(2)));
    }
}
