namespace StarGanLab.Data;

/// <summary>
/// The official training transform: with probability <paramref name="CropProb"/> a RandomResizedCrop
/// (area scale <paramref name="MinScale"/>..<paramref name="MaxScale"/>, aspect ratio <paramref name="MinRatio"/>..<paramref name="MaxRatio"/>),
/// resize to <paramref name="ImgSize"/>, horizontal flip with probability <paramref name="FlipProb"/>, normalise to [-1, 1].
/// <see cref="Validation"/> turns everything random off (resize and normalise only).
/// </summary>
public sealed record AugmentOptions(
    int ImgSize,
    double CropProb = 0.5,
    double MinScale = 0.8, double MaxScale = 1.0,
    double MinRatio = 0.9, double MaxRatio = 1.1,
    double FlipProb = 0.5)
{
    public static AugmentOptions Validation(int imgSize) => new(imgSize, CropProb: 0, FlipProb: 0);
}

/// <summary>A crop in source pixels (torchvision's i, j, h, w).</summary>
public readonly record struct CropBox(int Top, int Left, int Height, int Width);

/// <summary>Everything random about one augmented image, drawn before any pixel is touched.</summary>
public readonly record struct AugmentParams(CropBox Crop, bool Flip);
