package io.shmdma;

/**
 * A device access port of a vchan end ({@code struct rte_dma_port_param}); memory ends use {@link PortType#NONE}.
 */
public final class PortParam
{
    /** The port type. */
    public PortType portType = PortType.NONE;

    /** A memory end. */
    public PortParam()
    {
    }

    /**
     * @param portType the port type.
     */
    public PortParam(final PortType portType)
    {
        this.portType = portType;
    }
}
