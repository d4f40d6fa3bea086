using SkiaSharp;

namespace StarGanLab.Data;

/// <summary>
/// Images grouped by domain, addressed by (domain, index). What the batch sources sample from; implemented by
/// the synthetic set and by ImageFolder. <see cref="Load"/> must be safe to call from several threads at once.
/// </summary>
public interface IImageSource
{
    /// <summary>Domain names in label order (label = position).</summary>
    IReadOnlyList<string> DomainNames { get; }

    int Count(int domain);

    /// <summary>The image at its native size as unpremultiplied RGBA8888 (alpha is ignored downstream). Caller disposes.</summary>
    SKBitmap Load(int domain, int index);
}

/// <summary>A source whose images are resized copies of originals of another size (the resized cache). Random crops are
/// drawn on the original's size and scaled to the copy, so they consume the same randomness and cover the same part of the
/// picture as they would on the original.</summary>
public interface IResizedImageSource : IImageSource
{
    /// <summary>Width and height of the original the image at (domain, index) was resized from.</summary>
    SKSizeI OriginalSize(int domain, int index);
}
