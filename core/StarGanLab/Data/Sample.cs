namespace StarGanLab.Data;

/// <summary>One synthetic image with its known factors. <see cref="Image"/> is CHW RGB in [-1, 1].</summary>
public sealed record Sample(int Domain, int Index, Split Split, SyntheticFactors Factors, float[] Image);
