package io.shmdma;

/**
 * Configuration of one vchan ({@code struct rte_dma_vchan_conf}).
 */
public final class VchanConf
{
    /** Transfer direction. */
    public Direction direction = Direction.MEM_TO_MEM;
    /** Number of descriptors, minDesc..maxDesc. */
    public int nbDesc;
    /** Source device port, {@link PortType#NONE} for memory. */
    public PortParam srcPort = new PortParam();
    /** Destination device port, {@link PortType#NONE} for memory. */
    public PortParam dstPort = new PortParam();
    /** The domains of the two ends. */
    public InterDomainParam domain = new InterDomainParam();

    /** A memory-to-memory vchan with no descriptors yet. */
    public VchanConf()
    {
    }

    /**
     * A local memory-to-memory vchan.
     *
     * @param nbDesc number of descriptors.
     */
    public VchanConf(final int nbDesc)
    {
        this.nbDesc = nbDesc;
    }

    /**
     * An inter-process memory-to-memory vchan.
     *
     * @param nbDesc     number of descriptors.
     * @param srcHandler handler of the source domain.
     * @param dstHandler handler of the destination domain.
     * @return the configuration.
     */
    public static VchanConf interProcess(final int nbDesc, final int srcHandler, final int dstHandler)
    {
        final VchanConf conf = new VchanConf(nbDesc);
        conf.domain = new InterDomainParam(InterDomainType.INTER_PROCESS, srcHandler, dstHandler);
        return conf;
    }
}
