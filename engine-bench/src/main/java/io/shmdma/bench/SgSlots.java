package io.shmdma.bench;

import io.shmdma.DmaSge;
import io.shmdma.memory.DmaRegion;
import org.agrona.BitUtil;

/**
 * Scatter-gather jobs for bursts: each slot copies {@code bufferSize} bytes from {@code nbSrc} source pieces to
 * {@code nbDst} destination pieces, as dma-perf does (each piece {@code bufferSize / nb} bytes, the last one
 * taking the remainder), with a cache line of gap between pieces so that no two are contiguous. The
 * {@link DmaSge} arrays for the device and the address/length arrays for the CPU baseline describe the same
 * pieces and are built once, so the data path does not allocate.
 */
public final class SgSlots
{
    private final int bufferSize;
    private final int nbSrc;
    private final int nbDst;
    private final int slots;
    private final DmaRegion source;
    private final DmaRegion destination;
    private final DmaSge[][] srcSge;
    private final DmaSge[][] dstSge;
    private final long[][] srcAddress;
    private final int[][] srcLength;
    private final long[][] dstAddress;
    private final int[][] dstLength;
    private int next;

    /**
     * @param target     whose domain holds the pieces.
     * @param bufferSize bytes per job.
     * @param nbSrc      source pieces per job.
     * @param nbDst      destination pieces per job.
     * @param slots      jobs described, used round robin.
     */
    public SgSlots(final BenchTarget target, final int bufferSize, final int nbSrc, final int nbDst, final int slots)
    {
        this.bufferSize = bufferSize;
        this.nbSrc = nbSrc;
        this.nbDst = nbDst;
        this.slots = slots;
        final long srcStride = pieceStride(bufferSize, nbSrc);
        final long dstStride = pieceStride(bufferSize, nbDst);
        source = target.allocate(srcStride * nbSrc * slots, 3);
        destination = target.allocate(dstStride * nbDst * slots, 4);
        srcSge = new DmaSge[slots][];
        dstSge = new DmaSge[slots][];
        srcAddress = new long[slots][];
        srcLength = new int[slots][];
        dstAddress = new long[slots][];
        dstLength = new int[slots][];
        for (int s = 0; s < slots; s++)
        {
            srcSge[s] = new DmaSge[nbSrc];
            srcAddress[s] = new long[nbSrc];
            srcLength[s] = new int[nbSrc];
            describe(source, srcStride, s, nbSrc, srcSge[s], srcAddress[s], srcLength[s]);
            dstSge[s] = new DmaSge[nbDst];
            dstAddress[s] = new long[nbDst];
            dstLength[s] = new int[nbDst];
            describe(destination, dstStride, s, nbDst, dstSge[s], dstAddress[s], dstLength[s]);
        }
    }

    private void describe(
        final DmaRegion region, final long stride, final int slot, final int nb,
        final DmaSge[] sge, final long[] address, final int[] length)
    {
        for (int j = 0; j < nb; j++)
        {
            final long offset = ((long)slot * nb + j) * stride;
            final int pieceLength = pieceLength(bufferSize, nb, j);
            sge[j] = new DmaSge(region.iova(offset), pieceLength);
            address[j] = region.buffer().addressOffset() + offset;
            length[j] = pieceLength;
        }
    }

    /**
     * Bytes of piece {@code j} of {@code nb}: an equal share, the last piece taking the remainder.
     *
     * @param bufferSize bytes per job.
     * @param nb         pieces.
     * @param j          the piece.
     * @return its length.
     */
    public static int pieceLength(final int bufferSize, final int nb, final int j)
    {
        return bufferSize / nb + (j == nb - 1 ? bufferSize % nb : 0);
    }

    private static long pieceStride(final int bufferSize, final int nb)
    {
        return Buffers.alignToCacheLine(pieceLength(bufferSize, nb, nb - 1)) + BitUtil.CACHE_LINE_LENGTH;
    }

    /**
     * Bytes needed in the domain, with room for alignment.
     *
     * @param bufferSize bytes per job.
     * @param nbSrc      source pieces per job.
     * @param nbDst      destination pieces per job.
     * @param slots      jobs.
     * @return bytes.
     */
    public static long domainBytes(final int bufferSize, final int nbSrc, final int nbDst, final int slots)
    {
        return (pieceStride(bufferSize, nbSrc) * nbSrc + pieceStride(bufferSize, nbDst) * nbDst) * slots + (1 << 20);
    }

    /**
     * The next slot, round robin.
     *
     * @return a slot.
     */
    public int nextSlot()
    {
        final int slot = next;
        next = slot + 1 == slots ? 0 : slot + 1;
        return slot;
    }

    /**
     * Source entries of a slot, for copySg.
     *
     * @param slot the slot.
     * @return the entries.
     */
    public DmaSge[] srcSge(final int slot)
    {
        return srcSge[slot];
    }

    /**
     * Destination entries of a slot, for copySg.
     *
     * @param slot the slot.
     * @return the entries.
     */
    public DmaSge[] dstSge(final int slot)
    {
        return dstSge[slot];
    }

    /**
     * Copies a slot on the caller thread.
     *
     * @param slot the slot.
     * @return bytes copied.
     */
    public long cpuCopy(final int slot)
    {
        return CpuBaselines.copySg(srcAddress[slot], srcLength[slot], nbSrc, dstAddress[slot], dstLength[slot], nbDst);
    }

    /**
     * Source pieces per job.
     *
     * @return nbSrc.
     */
    public int nbSrc()
    {
        return nbSrc;
    }

    /**
     * Destination pieces per job.
     *
     * @return nbDst.
     */
    public int nbDst()
    {
        return nbDst;
    }

    /**
     * Bytes per job.
     *
     * @return the job size.
     */
    public int bufferSize()
    {
        return bufferSize;
    }

    /**
     * Jobs described.
     *
     * @return the slots.
     */
    public int slots()
    {
        return slots;
    }

    /**
     * Whether every slot's destination pieces, read in order, equal its source pieces read in order.
     *
     * @return true when the copies landed.
     */
    public boolean verify()
    {
        for (int s = 0; s < slots; s++)
        {
            int si = 0;
            int di = 0;
            int su = 0;
            int du = 0;
            for (int k = 0; k < bufferSize; k++)
            {
                final byte expected = source.buffer().getByte(
                    (int)(srcAddress[s][si] - source.buffer().addressOffset()) + su);
                final byte actual = destination.buffer().getByte(
                    (int)(dstAddress[s][di] - destination.buffer().addressOffset()) + du);
                if (expected != actual)
                {
                    return false;
                }
                if (++su == srcLength[s][si])
                {
                    si++;
                    su = 0;
                }
                if (++du == dstLength[s][di])
                {
                    di++;
                    du = 0;
                }
            }
        }
        return true;
    }
}
