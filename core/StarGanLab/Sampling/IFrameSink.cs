using static TorchSharp.torch;

namespace StarGanLab.Sampling;

/// <summary>Receives the frames of a video one at a time, so a video of any length needs the memory of one frame.</summary>
public interface IFrameSink
{
    /// <summary>One frame (3, H, W) in [-1, 1]; every frame of a video has the size of the first. The tensor belongs
    /// to the caller and is only valid during the call.</summary>
    void Add(Tensor frame);
}
