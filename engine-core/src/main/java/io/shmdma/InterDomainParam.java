package io.shmdma;

/**
 * The domains a vchan moves bytes between ({@code struct rte_dma_inter_domain_param}).
 * With {@link InterDomainType#NONE} the handlers are ignored and both ends are local.
 */
public final class InterDomainParam
{
    /** The domain type. */
    public InterDomainType type = InterDomainType.NONE;
    /** Handler of the source domain (uint16), from {@link DmaDevice#accessPairGroupHandlerGet}. */
    public int srcHandler;
    /** Handler of the destination domain (uint16). */
    public int dstHandler;

    /** A local vchan. */
    public InterDomainParam()
    {
    }

    /**
     * @param type       the domain type.
     * @param srcHandler the source handler.
     * @param dstHandler the destination handler.
     */
    public InterDomainParam(final InterDomainType type, final int srcHandler, final int dstHandler)
    {
        this.type = type;
        this.srcHandler = srcHandler;
        this.dstHandler = dstHandler;
    }
}
