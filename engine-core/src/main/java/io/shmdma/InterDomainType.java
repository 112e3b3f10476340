package io.shmdma;

/**
 * Where the two ends of a vchan live ({@code enum rte_dma_inter_domain_type}).
 */
public enum InterDomainType
{
    /** Both addresses resolve in the local domain ({@code RTE_DMA_INTER_DOMAIN_NONE}). */
    NONE,
    /** The ends are domains of processes on this host, named by handlers ({@code RTE_DMA_INTER_PROCESS_DOMAIN}). */
    INTER_PROCESS,
    /** The ends are operating system domains ({@code RTE_DMA_INTER_OS_DOMAIN}); no shmdma device has it. */
    INTER_OS
}
