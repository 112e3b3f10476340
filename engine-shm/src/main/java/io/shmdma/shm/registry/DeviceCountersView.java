package io.shmdma.shm.registry;

/**
 * A copy of one device's counters, for the CLI ({@code /dmadev/stats}).
 *
 * @param counterId        the counters slot.
 * @param domainSlot       the owning domain's slot.
 * @param domainGeneration the owning domain's generation.
 * @param devId            the device id in the owning process.
 * @param name             the device name.
 * @param submitted        jobs submitted.
 * @param completed        jobs completed, failed ones included.
 * @param errors           jobs that failed.
 */
public record DeviceCountersView(
    int counterId,
    int domainSlot,
    long domainGeneration,
    int devId,
    String name,
    long submitted,
    long completed,
    long errors)
{
}
