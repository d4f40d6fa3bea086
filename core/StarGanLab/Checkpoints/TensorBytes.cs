using System.Buffers.Binary;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace StarGanLab.Checkpoints;

/// <summary>
/// Moves a CPU tensor's raw bytes to and from a stream in chunks, so a large storage never needs an
/// equally large managed buffer. All three formats store little-endian data in the host layout.
/// </summary>
internal static class TensorBytes
{
    const int Chunk = 1 << 20;

    // TorchSharp exposes the data pointer only as a Span sized by an int; the native call has no such limit.
    [DllImport("LibTorchSharp")]
    static extern IntPtr THSTensor_data(IntPtr handle);

    static unsafe byte* Pointer(Tensor t)
    {
        if (t.device_type != DeviceType.CPU || !t.is_contiguous()) throw new InvalidOperationException("expected a contiguous CPU tensor");
        var p = THSTensor_data(t.Handle);
        if (p == IntPtr.Zero && t.numel() > 0) torch.CheckForErrors();
        return (byte*)p;
    }

    public static void EnsureLittleEndianHost()
    {
        if (!BitConverter.IsLittleEndian)
            throw new PlatformNotSupportedException("checkpoint storages are little-endian; big-endian hosts are not supported");
    }

    /// <summary>A new 1-D tensor of <paramref name="numel"/> elements filled from exactly that many elements' bytes of the stream.</summary>
    /// <param name="bigEndian">The stream holds big-endian elements (a torch zip whose byteorder entry says "big"):
    /// they are converted to the host's order.</param>
    public static unsafe Tensor ReadStorage(Stream source, TensorDType dtype, long numel, string file, string what, bool bigEndian = false)
    {
        EnsureLittleEndianHost();
        var t = torch.empty(numel, dtype.Type);
        try
        {
            byte* p = Pointer(t);
            long total = numel * dtype.ElementSize;
            for (long done = 0; done < total;)
            {
                int n = (int)Math.Min(Chunk, total - done);
                int got = source.Read(new Span<byte>(p + done, n));
                if (got <= 0)
                    throw new CheckpointException($"{file}: {what} ends after {done} of {total} bytes (file truncated?)");
                done += got;
            }
            if (bigEndian) ReverseEachElement(p, total, dtype.ElementSize);
            return t;
        }
        catch
        {
            t.Dispose();
            throw;
        }
    }

    static unsafe void ReverseEachElement(byte* p, long total, int elementSize)
    {
        // Chunk is a multiple of every element size, so no element straddles two spans.
        for (long done = 0; done < total; done += Chunk)
        {
            var span = new Span<byte>(p + done, (int)Math.Min(Chunk, total - done));
            switch (elementSize)
            {
                case 2: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ushort>(span), MemoryMarshal.Cast<byte, ushort>(span)); break;
                case 4: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, uint>(span), MemoryMarshal.Cast<byte, uint>(span)); break;
                case 8: BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ulong>(span), MemoryMarshal.Cast<byte, ulong>(span)); break;
            }
        }
    }

    /// <summary>Writes the tensor's elements in row-major order (a contiguous CPU copy is made when needed).</summary>
    public static unsafe void Write(Tensor tensor, Stream destination)
    {
        EnsureLittleEndianHost();
        using var scope = torch.NewDisposeScope();
        var c = tensor.detach().cpu().contiguous();
        byte* p = Pointer(c);
        long total = c.numel() * c.element_size();
        for (long done = 0; done < total; done += Chunk)
            destination.Write(new ReadOnlySpan<byte>(p + done, (int)Math.Min(Chunk, total - done)));
    }

    public static long ByteCount(Tensor t) => t.numel() * t.element_size();
}
