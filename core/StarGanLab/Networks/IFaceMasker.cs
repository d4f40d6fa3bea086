using StarGanLab.Networks;
using static TorchSharp.torch;

namespace StarGanLab.Networks;

/// <summary>Turns images into the two FAN heatmap masks (the official fan.get_heatmap); used when w_hpf &gt; 0.</summary>
public interface IFaceMasker
{
    FaceMasks Masks(Tensor images);
}
