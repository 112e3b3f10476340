package io.shmdma;

/**
 * Device configuration ({@code struct rte_dma_conf}).
 */
public final class DmaConf
{
    /** Number of vchans, 1..maxVchans. */
    public int nbVchans;
    /** Priority, 0 unless the device has {@link DmaCapability#PRI_POLICY_SP}. */
    public int priority;
    /** {@link ConfFlags} bits. */
    public long flags;

    /** An empty configuration (zero vchans, which configure refuses). */
    public DmaConf()
    {
    }

    /**
     * @param nbVchans number of vchans.
     * @param flags    {@link ConfFlags} bits.
     */
    public DmaConf(final int nbVchans, final long flags)
    {
        this.nbVchans = nbVchans;
        this.flags = flags;
    }

    /**
     * A copy of this configuration.
     *
     * @return a new object with the same fields.
     */
    public DmaConf copy()
    {
        final DmaConf copy = new DmaConf(nbVchans, flags);
        copy.priority = priority;
        return copy;
    }

    @Override
    public String toString()
    {
        return "DmaConf{nbVchans=" + nbVchans + ", priority=" + priority + ", flags=0x" + Long.toHexString(flags) + '}';
    }
}
