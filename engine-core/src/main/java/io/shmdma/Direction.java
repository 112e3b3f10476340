package io.shmdma;

/**
 * Transfer direction of a vchan ({@code enum rte_dma_direction}).
 */
public enum Direction
{
    /** Memory to memory ({@code RTE_DMA_DIR_MEM_TO_MEM}). */
    MEM_TO_MEM(DmaCapability.MEM_TO_MEM),
    /** Memory to device ({@code RTE_DMA_DIR_MEM_TO_DEV}). */
    MEM_TO_DEV(DmaCapability.MEM_TO_DEV),
    /** Device to memory ({@code RTE_DMA_DIR_DEV_TO_MEM}). */
    DEV_TO_MEM(DmaCapability.DEV_TO_MEM),
    /** Device to device ({@code RTE_DMA_DIR_DEV_TO_DEV}). */
    DEV_TO_DEV(DmaCapability.DEV_TO_DEV);

    private final long capability;

    Direction(final long capability)
    {
        this.capability = capability;
    }

    /**
     * The capability bit a device needs for this direction.
     *
     * @return a {@link DmaCapability} bit.
     */
    public long capability()
    {
        return capability;
    }

    /**
     * Whether the source is a device port.
     *
     * @return true for DEV_TO_MEM and DEV_TO_DEV.
     */
    public boolean sourceIsDevice()
    {
        return this == DEV_TO_MEM || this == DEV_TO_DEV;
    }

    /**
     * Whether the destination is a device port.
     *
     * @return true for MEM_TO_DEV and DEV_TO_DEV.
     */
    public boolean destinationIsDevice()
    {
        return this == MEM_TO_DEV || this == DEV_TO_DEV;
    }
}
