package io.shmdma.shm.registry;

/**
 * A copy of one device's published information, for the CLI ({@code /dmadev/info}): what
 * {@code rte_dma_info_get} returns in the owning process, and whether the device is started. Published by the
 * owner's conductor every interval, so it may lag a reconfiguration by one interval.
 *
 * @param counterId    the counters slot the information lives in (see {@link DeviceCountersView}).
 * @param published    false until the owner's conductor first published; every other field is 0 until then.
 * @param started      whether the device is started.
 * @param capabilities {@code dev_capa}, {@code io.shmdma.DmaCapability} bits.
 * @param nbVchans     vchans configured.
 * @param maxVchans    most vchans.
 * @param minDesc      fewest descriptors per vchan.
 * @param maxDesc      most descriptors per vchan.
 * @param maxSges      most scatter-gather entries per side of a copy_sg.
 * @param nbPriorities priority levels, 0 when not supported.
 * @param numaNode     NUMA node, -1 when unknown.
 */
public record DeviceInfoView(
    int counterId,
    boolean published,
    boolean started,
    long capabilities,
    int nbVchans,
    int maxVchans,
    int minDesc,
    int maxDesc,
    int maxSges,
    int nbPriorities,
    int numaNode)
{
}
