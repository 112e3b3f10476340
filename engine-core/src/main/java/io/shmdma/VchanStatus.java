package io.shmdma;

/**
 * Whether a vchan has work in flight ({@code enum rte_dma_vchan_status}).
 */
public enum VchanStatus
{
    /** Not processing, awaiting jobs ({@code RTE_DMA_VCHAN_IDLE}). */
    IDLE,
    /** Submitted jobs are being processed ({@code RTE_DMA_VCHAN_ACTIVE}). */
    ACTIVE,
    /** Jobs are pending but the engine has stopped on an error ({@code RTE_DMA_VCHAN_HALTED_ERROR}). */
    HALTED_ERROR
}
