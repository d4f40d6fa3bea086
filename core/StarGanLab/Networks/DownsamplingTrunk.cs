using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StarGanLab.Networks;

/// <summary>The trunk the style encoder and the discriminator share in architecture (not weights):
/// conv, ResBlks halving the resolution down to 4x4, LeakyReLU, 4x4 conv to 1x1, LeakyReLU.</summary>
static class DownsamplingTrunk
{
    public static (Sequential Trunk, long DimOut) Build(int imgSize, int maxConvDim, int widthConst)
    {
        long dimIn = widthConst / imgSize;
        var layers = new List<nn.Module<Tensor, Tensor>> { new Conv(3, dimIn, 3, 1, 1) };
        int repeat = (int)Math.Log2(imgSize) - 2;
        long dimOut = dimIn;
        for (int i = 0; i < repeat; i++)
        {
            dimOut = Math.Min(dimIn * 2, maxConvDim);
            layers.Add(new ResBlk(dimIn, dimOut, downsample: true));
            dimIn = dimOut;
        }
        layers.Add(nn.LeakyReLU(0.2));
        layers.Add(new Conv(dimOut, dimOut, 4, 1, 0));
        layers.Add(nn.LeakyReLU(0.2));
        return (nn.Sequential(layers.ToArray()), dimOut);
    }
}
