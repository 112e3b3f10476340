package io.shmdma.shm.registry;

import io.shmdma.DmaInfo;
import org.agrona.concurrent.AtomicBuffer;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;

/**
 * Flyweight over one device's counters in the control segment. The owning process's conductor is their only
 * writer: once per duty cycle it copies the device's stats ({@code rte_dma_stats_get} over every vchan) into
 * {@code submitted}, {@code completed} and {@code errors} with release stores, so neither the application thread
 * nor the engine pays for them on the data path. Readers in any process use the acquire getters. The conductor
 * also publishes the device's information
 * ({@code rte_dma_info_get} and whether it is started) with {@link #publishInfo(DmaInfo, boolean)}, for the CLI.
 * The engine errors count (errors thrown by the engine agent and rings found forged or corrupt, see
 * {@code SoftwareDmaDriver.onError}) is added to atomically by any thread of the owning process.
 * Never allocates or throws after construction.
 */
public final class DeviceCounters
{
    private final AtomicBuffer buffer;
    private final int counterId;
    private final int submittedOffset;
    private final int completedOffset;
    private final int errorsOffset;
    private final int engineErrorsOffset;
    private final int entryOffset;

    DeviceCounters(final AtomicBuffer buffer, final int counterId)
    {
        if (counterId < 0 || counterId >= DEVICE_COUNTERS_CAPACITY)
        {
            throw new IllegalArgumentException("counterId out of range: " + counterId);
        }
        final int offset = deviceCountersOffset(counterId);
        this.buffer = buffer;
        this.counterId = counterId;
        this.entryOffset = offset;
        this.submittedOffset = offset + COUNTERS_SUBMITTED_OFFSET;
        this.completedOffset = offset + COUNTERS_COMPLETED_OFFSET;
        this.errorsOffset = offset + COUNTERS_ERRORS_OFFSET;
        this.engineErrorsOffset = offset + COUNTERS_ENGINE_ERRORS_OFFSET;
    }

    /**
     * The counters slot.
     *
     * @return the counter id.
     */
    public int counterId()
    {
        return counterId;
    }

    /**
     * Jobs submitted, acquire load.
     *
     * @return the count.
     */
    public long submitted()
    {
        return buffer.getLongAcquire(submittedOffset);
    }

    /**
     * Jobs completed, failed ones included (as DPDK's {@code rte_dma_stats.completed}), acquire load.
     *
     * @return the count.
     */
    public long completed()
    {
        return buffer.getLongAcquire(completedOffset);
    }

    /**
     * Jobs failed, acquire load.
     *
     * @return the count.
     */
    public long errors()
    {
        return buffer.getLongAcquire(errorsOffset);
    }

    /**
     * Engine errors: errors thrown by the device's engine agent plus rings found forged or corrupt (each reported
     * once), acquire load. Not job failures, which {@link #errors()} counts.
     *
     * @return the count.
     */
    public long engineErrors()
    {
        return buffer.getLongAcquire(engineErrorsOffset);
    }

    /**
     * Adds one engine error, atomically: any thread of the owning process may call this.
     *
     * @return the count after the increment.
     */
    public long incrementEngineErrors()
    {
        return buffer.getAndAddLong(engineErrorsOffset, 1) + 1;
    }

    /**
     * Publishes all three counts at once, as the owning device's stats ({@code rte_dma_stats_get} over every
     * vchan) show them. Only the owning process writes.
     *
     * @param submitted jobs submitted.
     * @param completed jobs completed, failed ones included.
     * @param errors    jobs that failed.
     */
    public void set(final long submitted, final long completed, final long errors)
    {
        buffer.putLongRelease(submittedOffset, submitted);
        buffer.putLongRelease(completedOffset, completed);
        buffer.putLongRelease(errorsOffset, errors);
    }

    /**
     * Publishes the device's information for tools; only the owning process's conductor writes. Each field is a
     * release store and the state goes last, so a reader that sees a state other than
     * {@link ControlSegmentDescriptor#DEVICE_STATE_UNKNOWN} sees every field of a publication (not necessarily
     * of the same one, which only matters while the device is being reconfigured).
     *
     * @param info    the device's information, filled by {@code DmaDevice.info(DmaInfo)}.
     * @param started whether the device is started.
     */
    public void publishInfo(final DmaInfo info, final boolean started)
    {
        buffer.putLongRelease(entryOffset + COUNTERS_CAPABILITIES_OFFSET, info.devCapa);
        buffer.putIntRelease(entryOffset + COUNTERS_NB_VCHANS_OFFSET, info.nbVchans);
        buffer.putIntRelease(entryOffset + COUNTERS_MAX_VCHANS_OFFSET, info.maxVchans);
        buffer.putIntRelease(entryOffset + COUNTERS_MIN_DESC_OFFSET, info.minDesc);
        buffer.putIntRelease(entryOffset + COUNTERS_MAX_DESC_OFFSET, info.maxDesc);
        buffer.putIntRelease(entryOffset + COUNTERS_MAX_SGES_OFFSET, info.maxSges);
        buffer.putIntRelease(entryOffset + COUNTERS_NB_PRIORITIES_OFFSET, info.nbPriorities);
        buffer.putIntRelease(entryOffset + COUNTERS_NUMA_NODE_OFFSET, info.numaNode);
        buffer.putIntRelease(entryOffset + COUNTERS_DEVICE_STATE_OFFSET,
            started ? DEVICE_STATE_STARTED : DEVICE_STATE_STOPPED);
    }

    /**
     * A copy of the device's information as last published, each field an acquire load.
     *
     * @return the information.
     */
    DeviceInfoView info()
    {
        final int state = buffer.getIntAcquire(entryOffset + COUNTERS_DEVICE_STATE_OFFSET);
        return new DeviceInfoView(
            counterId,
            state != DEVICE_STATE_UNKNOWN,
            state == DEVICE_STATE_STARTED,
            buffer.getLongAcquire(entryOffset + COUNTERS_CAPABILITIES_OFFSET),
            buffer.getIntAcquire(entryOffset + COUNTERS_NB_VCHANS_OFFSET),
            buffer.getIntAcquire(entryOffset + COUNTERS_MAX_VCHANS_OFFSET),
            buffer.getIntAcquire(entryOffset + COUNTERS_MIN_DESC_OFFSET),
            buffer.getIntAcquire(entryOffset + COUNTERS_MAX_DESC_OFFSET),
            buffer.getIntAcquire(entryOffset + COUNTERS_MAX_SGES_OFFSET),
            buffer.getIntAcquire(entryOffset + COUNTERS_NB_PRIORITIES_OFFSET),
            buffer.getIntAcquire(entryOffset + COUNTERS_NUMA_NODE_OFFSET));
    }

    /**
     * Sets every count, engine errors included, to zero; call only while no writer runs (device stopped).
     */
    public void reset()
    {
        buffer.putLongRelease(submittedOffset, 0);
        buffer.putLongRelease(completedOffset, 0);
        buffer.putLongRelease(errorsOffset, 0);
        buffer.putLongRelease(engineErrorsOffset, 0);
    }

    /** {@inheritDoc} */
    public String toString()
    {
        return "DeviceCounters{counterId=" + counterId + ", submitted=" + submitted() + ", completed=" + completed() +
            ", errors=" + errors() + ", engineErrors=" + engineErrors() + '}';
    }
}
