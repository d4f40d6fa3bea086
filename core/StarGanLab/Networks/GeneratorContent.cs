using static TorchSharp.torch;

namespace StarGanLab.Networks;

/// <summary>What G's encoder makes of an image: the bottleneck <paramref name="Features"/> and, for the high-pass
/// path, the encoder features at 32/64/128 px (<paramref name="Skips"/>, empty without masks) that the decoder adds
/// back. The encoder never sees the style code, so one encoding serves every translation of the same images by the
/// same weights: training reuses it for the fakes that share x_real, sampling for the styles of one source batch.</summary>
public sealed record GeneratorContent(Tensor Features, IReadOnlyDictionary<long, Tensor> Skips);
