package io.shmdma;

/**
 * An operation object for the enqueue/dequeue-ops mode ({@code struct rte_dma_op}), enabled by
 * {@link ConfFlags#ENQ_DEQ}. A copy has one source and one destination entry; more make a
 * scatter-gather copy. The caller owns and reuses these objects.
 */
public final class DmaOp
{
    /** {@link OpFlags} bits; {@link OpFlags#SUBMIT} is implied. */
    public long flags;
    /** Completion status, written by dequeue. */
    public DmaStatus status = DmaStatus.SUCCESSFUL;
    /** Application data, untouched by the device. */
    public long userMeta;
    /** Number of source entries used. */
    public int nbSrc;
    /** Number of destination entries used. */
    public int nbDst;
    /** Source entries; at least {@link #nbSrc}. */
    public final DmaSge[] src;
    /** Destination entries; at least {@link #nbDst}. */
    public final DmaSge[] dst;

    /**
     * @param maxSges entries to allocate on each side, 0 or more.
     * @throws IllegalArgumentException for a negative count.
     */
    public DmaOp(final int maxSges)
    {
        if (maxSges < 0)
        {
            throw new IllegalArgumentException("maxSges must not be negative: " + maxSges);
        }
        src = new DmaSge[maxSges];
        dst = new DmaSge[maxSges];
        for (int i = 0; i < maxSges; i++)
        {
            src[i] = new DmaSge();
            dst[i] = new DmaSge();
        }
    }

    /**
     * Makes this a plain copy.
     *
     * @param srcIova source IOVA.
     * @param dstIova destination IOVA.
     * @param length  bytes to copy.
     * @return this.
     * @throws IllegalStateException when this op was created without SGE entries.
     */
    public DmaOp copy(final long srcIova, final long dstIova, final int length)
    {
        if (src.length == 0 || dst.length == 0)
        {
            throw new IllegalStateException("this DmaOp has no SGE entries (created with maxSges 0)");
        }
        if (src[0] == null)
        {
            src[0] = new DmaSge();
        }
        if (dst[0] == null)
        {
            dst[0] = new DmaSge();
        }
        src[0].set(srcIova, length);
        dst[0].set(dstIova, length);
        nbSrc = 1;
        nbDst = 1;
        return this;
    }
}
