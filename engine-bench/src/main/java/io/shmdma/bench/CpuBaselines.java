package io.shmdma.bench;

import org.agrona.UnsafeApi;

import java.nio.ByteOrder;

/**
 * What the caller thread would do without a device: the CPU baselines of copy, scatter-gather copy and fill.
 * Each does the same memory work as the engine, with the same primitive ({@code UnsafeApi.copyMemory}).
 */
public final class CpuBaselines
{
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private CpuBaselines()
    {
    }

    /**
     * Copies a scatter list into a gather list, piece by piece, as the engine walks a copySg job.
     *
     * @param srcAddress source piece addresses.
     * @param srcLength  source piece lengths.
     * @param nbSrc      source pieces used.
     * @param dstAddress destination piece addresses.
     * @param dstLength  destination piece lengths.
     * @param nbDst      destination pieces used.
     * @return bytes copied.
     */
    public static long copySg(
        final long[] srcAddress, final int[] srcLength, final int nbSrc,
        final long[] dstAddress, final int[] dstLength, final int nbDst)
    {
        int srcEntry = 0;
        int dstEntry = 0;
        long srcUsed = 0;
        long dstUsed = 0;
        long total = 0;
        while (srcEntry < nbSrc && dstEntry < nbDst)
        {
            final long n = Math.min(srcLength[srcEntry] - srcUsed, dstLength[dstEntry] - dstUsed);
            UnsafeApi.copyMemory(srcAddress[srcEntry] + srcUsed, dstAddress[dstEntry] + dstUsed, n);
            srcUsed += n;
            dstUsed += n;
            total += n;
            if (srcUsed == srcLength[srcEntry])
            {
                srcEntry++;
                srcUsed = 0;
            }
            if (dstUsed == dstLength[dstEntry])
            {
                dstEntry++;
                dstUsed = 0;
            }
        }
        return total;
    }

    /**
     * Fills memory with a 64-bit pattern, byte {@code j} being byte {@code j % 8} of the pattern in little-endian
     * order (DPDK's fill), eight bytes at a time.
     *
     * @param address first byte.
     * @param length  bytes.
     * @param pattern the pattern.
     */
    public static void patternFill(final long address, final long length, final long pattern)
    {
        final long word = LITTLE_ENDIAN ? pattern : Long.reverseBytes(pattern);
        long i = 0;
        for (; i + 8 <= length; i += 8)
        {
            UnsafeApi.putLong(address + i, word);
        }
        for (; i < length; i++)
        {
            UnsafeApi.putByte(address + i, (byte)(pattern >>> ((i & 7) << 3)));
        }
    }
}
