namespace StarGanLab.IO;

/// <summary>The zip CRC-32 (IEEE, reflected). Small enough to keep rather than add System.IO.Hashing.</summary>
internal sealed class Crc32
{
    static readonly uint[] Table = BuildTable();
    uint state = 0xFFFFFFFF;

    public uint Value => ~state;

    public void Append(ReadOnlySpan<byte> data)
    {
        uint c = state;
        foreach (byte b in data) c = Table[(c ^ b) & 0xFF] ^ (c >> 8);
        state = c;
    }

    static uint[] BuildTable()
    {
        var t = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            t[n] = c;
        }
        return t;
    }
}
