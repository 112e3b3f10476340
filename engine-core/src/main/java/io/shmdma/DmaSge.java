package io.shmdma;

/**
 * One scatter-gather entry ({@code struct rte_dma_sge}): an IOVA and a length.
 */
public final class DmaSge
{
    /** The IOVA. */
    public long addr;
    /** The length in bytes (uint32). */
    public int length;

    /** An empty entry. */
    public DmaSge()
    {
    }

    /**
     * @param addr   the IOVA.
     * @param length the length in bytes.
     */
    public DmaSge(final long addr, final int length)
    {
        this.addr = addr;
        this.length = length;
    }

    /**
     * Sets both fields, for reuse without allocation.
     *
     * @param addr   the IOVA.
     * @param length the length in bytes.
     * @return this.
     */
    public DmaSge set(final long addr, final int length)
    {
        this.addr = addr;
        this.length = length;
        return this;
    }
}
