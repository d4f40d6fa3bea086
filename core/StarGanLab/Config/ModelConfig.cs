namespace StarGanLab.Config;

/// <summary>Architecture of the StarGAN v2 networks (official defaults: 256 px, 2^14 width constant).</summary>
/// <param name="WidthConst">dim_in = WidthConst / ImgSize (official literal 2**14).</param>
/// <param name="MappingHidden">Hidden width of the mapping network (official: hard-coded 512).</param>
/// <param name="WHpf">High-pass weight; &gt; 0 adds one generator level and the FAN-masked skip path.</param>
public sealed record ModelConfig(
    int ImgSize = 256,
    int NumDomains = 2,
    int LatentDim = 16,
    int StyleDim = 64,
    int WidthConst = 16384,
    int MaxConvDim = 512,
    int MappingHidden = 512,
    double WHpf = 0)
{
    public int DimIn => WidthConst / ImgSize;
}
