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
