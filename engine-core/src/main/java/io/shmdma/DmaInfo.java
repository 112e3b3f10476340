package io.shmdma;

/**
 * Information about a device ({@code struct rte_dma_info}), filled by {@link DmaDevice#info(DmaInfo)}.
 */
public final class DmaInfo
{
    /** Unique device name. */
    public String devName;
    /** Capabilities, {@link DmaCapability} bits. */
    public long devCapa;
    /** Maximum number of vchans. */
    public int maxVchans;
    /** Maximum descriptors per vchan. */
    public int maxDesc;
    /** Minimum descriptors per vchan. */
    public int minDesc;
    /** Maximum scatter-gather entries per side of a copySg. */
    public int maxSges;
    /** NUMA node, -1 when unknown. */
    public int numaNode = -1;
    /** Number of vchans configured. */
    public int nbVchans;
    /** Number of priority levels, 0 when not supported. */
    public int nbPriorities;

    /** Clears every field, as DPDK's generic layer does before asking the driver. */
    public void clear()
    {
        devName = null;
        devCapa = 0;
        maxVchans = 0;
        maxDesc = 0;
        minDesc = 0;
        maxSges = 0;
        numaNode = -1;
        nbVchans = 0;
        nbPriorities = 0;
    }

    @Override
    public String toString()
    {
        return "DmaInfo{devName=" + devName + ", devCapa=0x" + Long.toHexString(devCapa) +
            " (" + DmaCapability.names(devCapa) + "), maxVchans=" + maxVchans + ", maxDesc=" + maxDesc +
            ", minDesc=" + minDesc + ", maxSges=" + maxSges + ", numaNode=" + numaNode +
            ", nbVchans=" + nbVchans + ", nbPriorities=" + nbPriorities + '}';
    }
}
