using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace StarGanLab.Sampling;

/// <summary>
/// Streams an animated GIF (looping forever) to <paramref name="output"/> one frame at a time.
/// ImageSharp 2.1's GifEncoder only encodes a whole in-memory Image, which would hold every frame of a video at
/// once, so each frame is encoded by it alone, with its own (local) colour table, and the encodings are chained:
/// the first one's 13-byte header and logical screen descriptor, the NETSCAPE2.0 loop extension, then every
/// frame's blocks (graphic control extension, image descriptor, colour table, LZW data) as ImageSharp wrote them,
/// and one trailer. Quantisation and compression stay ImageSharp's; only the framing is ours.
/// </summary>
public sealed class GifFrameSink(Stream output, int delayCentiseconds) : IFrameSink
{
    const int HeaderLength = 13;       // "GIF89a" + logical screen descriptor (no global colour table)
    const byte Trailer = 0x3B;
    // Application extension NETSCAPE2.0, sub-block 1 = loop count, 0 = forever (GIF89a appendix; what browsers honour).
    static readonly byte[] LoopForever = [0x21, 0xFF, 0x0B, .. "NETSCAPE2.0"u8, 0x03, 0x01, 0x00, 0x00, 0x00];

    static readonly GifEncoder Encoder = new() { ColorTableMode = GifColorTableMode.Local };

    byte[]? header;
    bool finished;

    public int Frames { get; private set; }

    public void Add(Tensor frame)
    {
        if (finished) throw new InvalidOperationException("the GIF is already finished");
        int h = (int)frame.size(1), w = (int)frame.size(2);
        byte[] rgb = ImageGrid.ToRgb24(frame.unsqueeze(0));
        byte[] gif;
        using (var image = Image.LoadPixelData<Rgb24>(rgb, w, h))
        {
            image.Frames.RootFrame.Metadata.GetGifMetadata().FrameDelay = delayCentiseconds;
            using var buffer = new MemoryStream();
            image.SaveAsGif(buffer, Encoder);
            gif = buffer.ToArray();
        }
        // The framing assumptions, checked rather than trusted: a GIF89a header, no global colour table, one trailer.
        if (gif.Length <= HeaderLength + 1 || !gif.AsSpan(0, 6).SequenceEqual("GIF89a"u8) || (gif[10] & 0x80) != 0 || gif[^1] != Trailer)
            throw new InvalidOperationException("ImageSharp's single-frame GIF does not have the expected layout (GIF89a, local colour table, trailer)");
        if (header == null)
        {
            header = gif[..HeaderLength];
            output.Write(header);
            output.Write(LoopForever);
        }
        else if (!gif.AsSpan(6, 4).SequenceEqual(header.AsSpan(6, 4)))
            throw new ArgumentException($"frame {Frames} is {w}x{h}, but the GIF's first frame was {BitConverter.ToUInt16(header, 6)}x{BitConverter.ToUInt16(header, 8)}");
        output.Write(gif.AsSpan(HeaderLength, gif.Length - HeaderLength - 1));
        Frames++;
    }

    /// <summary>Writes the trailer; the stream then holds a complete GIF.</summary>
    public void Finish()
    {
        if (header == null) throw new InvalidOperationException("a GIF needs at least one frame");
        if (finished) return;
        output.WriteByte(Trailer);
        finished = true;
    }
}
