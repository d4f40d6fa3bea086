namespace StarGanLab.IO;

/// <summary>The rule every reader of a stranger's file (.npy, .npz, checkpoints, images) applies before it reads or
/// inflates anything: what the file declares (array shapes, entry sizes, pixel counts) is computed with checked
/// arithmetic and held against the reader's limit and against the file's own size.</summary>
public static class DeclaredSizes
{
    /// <summary>How many times its own size an archive may declare in uncompressed entries. torch and np.savez store
    /// entries uncompressed (1x); np.savez_compressed of real float data deflates to about 1.1x; a bomb of zeros
    /// reaches 1000x.</summary>
    public const long MaxExpansion = 64;

    /// <summary>Most uncompressed bytes an archive of <paramref name="fileLength"/> bytes may declare in all.</summary>
    public static long InflationLimit(long fileLength, long absoluteLimit) => Math.Min(absoluteLimit, Math.Max(fileLength, 1) * MaxExpansion);

    /// <summary>The bytes of an array of <paramref name="shape"/> with <paramref name="itemSize"/>-byte elements, or null
    /// when a dimension is negative or the product does not fit a long (a crafted shape must not wrap to a small count).</summary>
    public static long? ByteCount(IEnumerable<long> shape, long itemSize)
    {
        long bytes = itemSize;
        try
        {
            foreach (long d in shape)
            {
                if (d < 0) return null;
                bytes = checked(bytes * d);
            }
            return bytes;
        }
        catch (OverflowException)
        {
            return null;
        }
    }
}
