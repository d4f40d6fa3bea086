namespace StarGanLab.Checkpoints;

/// <summary>Receives every byte that passes through a <see cref="TapStream"/>.</summary>
internal delegate void ByteTap(ReadOnlySpan<byte> data);

/// <summary>
/// Passes reads or writes through to another stream and shows each chunk to a tap (a hash or CRC),
/// so checksums are computed in the same single pass that moves the data.
/// </summary>
internal sealed class TapStream(Stream inner, ByteTap tap) : Stream
{
    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => false;
    public override bool CanWrite => inner.CanWrite;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() => inner.Flush();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
    public override int Read(Span<byte> buffer)
    {
        int n = inner.Read(buffer);
        tap(buffer[..n]);
        return n;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        tap(buffer);
        inner.Write(buffer);
    }

    // The inner stream belongs to the caller.
    protected override void Dispose(bool disposing) { }
}
