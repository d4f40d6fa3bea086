using System.Buffers.Binary;
using System.Text;
using StarGanLab.IO;

namespace StarGanLab.Checkpoints;

/// <summary>
/// Writes a zip archive the way PyTorch's PyTorchFileWriter does: stored (uncompressed) entries,
/// DOS time 0 (shown as 1980-01-01), a data descriptor after each entry, and an "FB" extra field that
/// pads every entry's data to a 64-byte boundary (torch relies on this alignment to mmap storages).
/// System.IO.Compression cannot align entries, hence this small writer. No zip64: archives and
/// entries over 4 GiB are refused rather than written wrongly.
/// </summary>
internal sealed class TorchZipWriter
{
    const int Alignment = 64;
    readonly Stream output;
    readonly List<(string Name, uint Crc, uint Size, uint Offset)> written = [];

    public TorchZipWriter(Stream output) => this.output = output;

    /// <summary>Adds an entry whose content <paramref name="write"/> produces; size and CRC are measured while writing.</summary>
    public void Add(string name, Action<Stream> write)
    {
        byte[] nameBytes = Encoding.UTF8.GetBytes(name);
        long offset = output.Position;
        int padding = (int)((Alignment - (offset + 30 + nameBytes.Length + 4) % Alignment) % Alignment);

        Span<byte> h = stackalloc byte[30];
        BinaryPrimitives.WriteUInt32LittleEndian(h, 0x04034b50);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], 0x0808);           // data descriptor follows; UTF-8 names
        BinaryPrimitives.WriteUInt16LittleEndian(h[26..], (ushort)nameBytes.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(h[28..], (ushort)(4 + padding));
        output.Write(h);
        output.Write(nameBytes);
        output.Write("FB"u8);
        Span<byte> len = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(len, (ushort)padding);
        output.Write(len);
        for (int i = 0; i < padding; i++) output.WriteByte((byte)'Z');

        long start = output.Position;
        var crc = new Crc32();
        using (var tapped = new TapStream(output, crc.Append)) write(tapped);
        long size = output.Position - start;
        if (size > uint.MaxValue || offset > uint.MaxValue)
            throw new CheckpointException($"zip entry '{name}' or its offset exceeds 4 GiB; this writer does not emit zip64");

        Span<byte> d = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32LittleEndian(d, 0x08074b50);
        BinaryPrimitives.WriteUInt32LittleEndian(d[4..], crc.Value);
        BinaryPrimitives.WriteUInt32LittleEndian(d[8..], (uint)size);
        BinaryPrimitives.WriteUInt32LittleEndian(d[12..], (uint)size);
        output.Write(d);
        written.Add((name, crc.Value, (uint)size, (uint)offset));
    }

    /// <summary>Writes the central directory and the end record.</summary>
    public void Finish()
    {
        long cdStart = output.Position;
        Span<byte> c = stackalloc byte[46];
        foreach (var (name, crc, size, offset) in written)
        {
            byte[] nameBytes = Encoding.UTF8.GetBytes(name);
            c.Clear();
            BinaryPrimitives.WriteUInt32LittleEndian(c, 0x02014b50);
            BinaryPrimitives.WriteUInt16LittleEndian(c[8..], 0x0808);
            BinaryPrimitives.WriteUInt32LittleEndian(c[16..], crc);
            BinaryPrimitives.WriteUInt32LittleEndian(c[20..], size);
            BinaryPrimitives.WriteUInt32LittleEndian(c[24..], size);
            BinaryPrimitives.WriteUInt16LittleEndian(c[28..], (ushort)nameBytes.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(c[42..], offset);
            output.Write(c);
            output.Write(nameBytes);
        }
        long cdSize = output.Position - cdStart;
        if (written.Count > ushort.MaxValue || cdStart > uint.MaxValue)
            throw new CheckpointException("archive too large for a zip without zip64");
        Span<byte> e = stackalloc byte[22];
        e.Clear();
        BinaryPrimitives.WriteUInt32LittleEndian(e, 0x06054b50);
        BinaryPrimitives.WriteUInt16LittleEndian(e[8..], (ushort)written.Count);
        BinaryPrimitives.WriteUInt16LittleEndian(e[10..], (ushort)written.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(e[12..], (uint)cdSize);
        BinaryPrimitives.WriteUInt32LittleEndian(e[16..], (uint)cdStart);
        output.Write(e);
    }
}
