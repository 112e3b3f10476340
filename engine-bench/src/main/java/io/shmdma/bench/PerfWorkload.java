package io.shmdma.bench;

import io.shmdma.DmaOp;
import io.shmdma.DmaSge;
import io.shmdma.memory.DmaRegion;
import io.shmdma.memory.DomainMemory;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The buffers and prepared jobs of one scenario, laid out as dma-perf lays them out: {@code nr_buf} source and
 * {@code nr_buf} destination buffers of {@code buf_size} bytes (cache-line aligned here), and for
 * scatter-gather jobs, source piece {@code i} at the start of source buffer {@code i}
 * ({@code buf_size / src_sge} bytes, every {@code src_sge}-th piece taking the remainder), likewise for
 * destinations. Everything the data path needs is built here so that it does not allocate.
 */
final class PerfWorkload
{
    final int bufSize;
    final int nrBuf;
    final int jobs;
    final int nbSrc;
    final int nbDst;
    final DmaRegion source;
    final DmaRegion destination;
    final long[] srcIova;
    final long[] dstIova;
    final long[] srcAddress;
    final long[] dstAddress;
    final DmaSge[][] srcSge;
    final DmaSge[][] dstSge;
    final long[][] srcPieceAddress;
    final int[][] srcPieceLength;
    final long[][] dstPieceAddress;
    final int[][] dstPieceLength;
    final DmaOp[] ops;
    private final int stride;

    PerfWorkload(
        final BenchTarget target, final PerfCase perfCase, final PerfCase.Scenario scenario, final boolean withOps)
    {
        bufSize = scenario.bufSize;
        stride = (int)Buffers.alignToCacheLine(bufSize);
        final boolean sg = perfCase.isScatterGather();
        nbSrc = sg ? perfCase.srcSges() : 1;
        nbDst = sg ? perfCase.dstSges() : 1;
        long buffers = scenario.nrBuf();
        if (sg)
        {
            buffers -= buffers % ((long)nbSrc * nbDst);
        }
        if (buffers < 1)
        {
            throw new IllegalArgumentException("mem_size " + scenario.memSizeMb + " MB holds no " +
                (sg ? nbSrc * nbDst + " pairs of " : "pair of ") + bufSize + " B buffers");
        }
        if (buffers * stride > DomainMemory.CHUNK_SIZE)
        {
            throw new IllegalArgumentException("mem_size " + scenario.memSizeMb + " MB: more than " +
                (DomainMemory.CHUNK_SIZE >> 20) + " MB on a side");
        }
        nrBuf = (int)buffers;
        source = target.allocate((long)nrBuf * stride, 5);
        destination = target.allocate((long)nrBuf * stride, 6);
        jobs = sg ? nrBuf / Math.max(nbSrc, nbDst) : nrBuf;

        srcIova = new long[nrBuf];
        dstIova = new long[nrBuf];
        srcAddress = new long[nrBuf];
        dstAddress = new long[nrBuf];
        for (int i = 0; i < nrBuf; i++)
        {
            srcIova[i] = source.iova((long)i * stride);
            dstIova[i] = destination.iova((long)i * stride);
            srcAddress[i] = source.buffer().addressOffset() + (long)i * stride;
            dstAddress[i] = destination.buffer().addressOffset() + (long)i * stride;
        }

        if (sg)
        {
            srcSge = new DmaSge[jobs][nbSrc];
            dstSge = new DmaSge[jobs][nbDst];
            srcPieceAddress = new long[jobs][nbSrc];
            srcPieceLength = new int[jobs][nbSrc];
            dstPieceAddress = new long[jobs][nbDst];
            dstPieceLength = new int[jobs][nbDst];
            for (int j = 0; j < jobs; j++)
            {
                for (int k = 0; k < nbSrc; k++)
                {
                    final int buffer = j * nbSrc + k;
                    final int length = bufSize / nbSrc + (k == nbSrc - 1 ? bufSize % nbSrc : 0);
                    srcSge[j][k] = new DmaSge(srcIova[buffer], length);
                    srcPieceAddress[j][k] = srcAddress[buffer];
                    srcPieceLength[j][k] = length;
                }
                for (int k = 0; k < nbDst; k++)
                {
                    final int buffer = j * nbDst + k;
                    final int length = bufSize / nbDst + (k == nbDst - 1 ? bufSize % nbDst : 0);
                    dstSge[j][k] = new DmaSge(dstIova[buffer], length);
                    dstPieceAddress[j][k] = dstAddress[buffer];
                    dstPieceLength[j][k] = length;
                }
            }
        }
        else
        {
            srcSge = null;
            dstSge = null;
            srcPieceAddress = null;
            srcPieceLength = null;
            dstPieceAddress = null;
            dstPieceLength = null;
        }

        if (withOps)
        {
            ops = new DmaOp[jobs];
            for (int j = 0; j < jobs; j++)
            {
                ops[j] = sg ? op(srcSge[j], dstSge[j], nbSrc, nbDst) : op(srcIova[j], dstIova[j], bufSize);
            }
        }
        else
        {
            ops = null;
        }
    }

    /** Clears the destination so that {@link #verify()} proves the copies of this run. */
    void clearDestination()
    {
        destination.buffer().setMemory(0, destination.buffer().capacity(), (byte)0);
    }

    /**
     * Whether every job's destination bytes equal its source bytes.
     *
     * @return null when they do, else where they first differ.
     */
    String verify()
    {
        final UnsafeBuffer src = source.buffer();
        final UnsafeBuffer dst = destination.buffer();
        if (srcSge == null)
        {
            for (int i = 0; i < nrBuf; i++)
            {
                final int offset = i * stride;
                for (int b = 0; b < bufSize; b++)
                {
                    if (src.getByte(offset + b) != dst.getByte(offset + b))
                    {
                        return "buffer " + i + " byte " + b;
                    }
                }
            }
            return null;
        }
        final long srcBase = src.addressOffset();
        final long dstBase = dst.addressOffset();
        for (int j = 0; j < jobs; j++)
        {
            int si = 0;
            int di = 0;
            int su = 0;
            int du = 0;
            for (int b = 0; b < bufSize; b++)
            {
                final byte expected = src.getByte((int)(srcPieceAddress[j][si] - srcBase) + su);
                final byte actual = dst.getByte((int)(dstPieceAddress[j][di] - dstBase) + du);
                if (expected != actual)
                {
                    return "job " + j + " byte " + b;
                }
                if (++su == srcPieceLength[j][si])
                {
                    si++;
                    su = 0;
                }
                if (++du == dstPieceLength[j][di])
                {
                    di++;
                    du = 0;
                }
            }
        }
        return null;
    }

    /**
     * Source and destination MiB, as dma-perf reports memory.
     *
     * @return MiB.
     */
    double memoryMb()
    {
        return (double)bufSize * nrBuf * 2 / (1 << 20);
    }
    /**
     * An operation object for a scatter-gather job, for the enqueue/dequeue-ops mode.
     *
     * @param src   source entries.
     * @param dst   destination entries.
     * @param nbSrc source entries used.
     * @param nbDst destination entries used.
     * @return the operation.
     */
    static DmaOp op(final DmaSge[] src, final DmaSge[] dst, final int nbSrc, final int nbDst)
    {
        final DmaOp op = new DmaOp(Math.max(nbSrc, nbDst));
        for (int k = 0; k < nbSrc; k++)
        {
            op.src[k].set(src[k].addr, src[k].length);
        }
        for (int k = 0; k < nbDst; k++)
        {
            op.dst[k].set(dst[k].addr, dst[k].length);
        }
        op.nbSrc = nbSrc;
        op.nbDst = nbDst;
        return op;
    }

    /**
     * An operation object for a plain copy, for the enqueue/dequeue-ops mode.
     *
     * @param srcIova source.
     * @param dstIova destination.
     * @param length  bytes.
     * @return the operation.
     */
    static DmaOp op(final long srcIova, final long dstIova, final int length)
    {
        final DmaOp op = new DmaOp(1);
        op.copy(srcIova, dstIova, length);
        return op;
    }
}
