package io.shmdma;

/**
 * Access port type of a device end of a vchan ({@code enum rte_dma_port_type}).
 */
public enum PortType
{
    /** No device port: the end is memory ({@code RTE_DMA_PORT_NONE}). */
    NONE,
    /** A PCIe port ({@code RTE_DMA_PORT_PCIE}). */
    PCIE
}
