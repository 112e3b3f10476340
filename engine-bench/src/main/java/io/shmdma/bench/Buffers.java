package io.shmdma.bench;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Buffer helpers shared by the benchmarks and the sweep tool.
 */
public final class Buffers
{
    /** Bytes between fields written by different threads: two cache lines, as in Agrona's ring buffers. */
    public static final int PADDING = 2 * BitUtil.CACHE_LINE_LENGTH;

    private Buffers()
    {
    }

    /**
     * Fills a buffer with a non-zero byte pattern that depends on the seed.
     *
     * @param buffer to be filled.
     * @param seed   varies the pattern.
     */
    public static void fillPattern(final UnsafeBuffer buffer, final int seed)
    {
        final int length = buffer.capacity();
        final int head = Math.min(length, 4096);
        for (int i = 0; i < head; i++)
        {
            buffer.putByte(i, (byte)(((i * 31) + seed) | 1));
        }
        for (int done = head; done < length; done += Math.min(done, length - done))
        {
            buffer.putBytes(done, buffer, 0, Math.min(done, length - done));
        }
    }

    /**
     * A zeroed direct buffer aligned to 128 bytes, for padded counters and rings.
     *
     * @param length bytes.
     * @return the buffer.
     */
    public static UnsafeBuffer alignedDirect(final int length)
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(length, PADDING));
    }

    /**
     * Rounds up to a cache line.
     *
     * @param length bytes.
     * @return a multiple of 64 of at least {@code length}.
     */
    public static long alignToCacheLine(final long length)
    {
        return (length + BitUtil.CACHE_LINE_LENGTH - 1) & -BitUtil.CACHE_LINE_LENGTH;
    }
}
