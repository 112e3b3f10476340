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
 * @param engineErrors     errors of the device's engine and rings found forged or corrupt (not job failures); the
 *                         shared error log holds each one's description.
 */
public record DeviceCountersView(
    int counterId,
    int domainSlot,
    long domainGeneration,
    int devId,
    String name,
    long submitted,
    long completed,
    long errors,
    long engineErrors)
{
    /**
     * A copy with no engine errors.
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
    public DeviceCountersView(
        final int counterId,
        final int domainSlot,
        final long domainGeneration,
        final int devId,
        final String name,
        final long submitted,
        final long completed,
        final long errors)
    {
        this(counterId, domainSlot, domainGeneration, devId, name, submitted, completed, errors, 0);
    }
}
