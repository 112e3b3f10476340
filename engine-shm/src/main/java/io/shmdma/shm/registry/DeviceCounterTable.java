package io.shmdma.shm.registry;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;

/**
 * Typed access to the ownership fields of the device counters entries ({@link ControlSegmentDescriptor}, "DEVICE
 * COUNTERS"), written under the registry lock; the counts and the published device information, which the owning
 * process writes without the lock, are {@link DeviceCounters}. Readers take a {@link SegmentReader}; writers take
 * the lock holder's {@link FencedWriter}. A counter id must be in 0..{@link
 * ControlSegmentDescriptor#DEVICE_COUNTERS_CAPACITY} - 1.
 */
final class DeviceCounterTable
{
    private DeviceCounterTable()
    {
    }

    /**
     * The state, acquire load.
     *
     * @param reader    the segment.
     * @param counterId the counter id.
     * @return {@link ControlSegmentDescriptor#COUNTERS_FREE} or {@link ControlSegmentDescriptor#COUNTERS_IN_USE}.
     */
    static int state(final SegmentReader reader, final int counterId)
    {
        return reader.getIntAcquire(deviceCountersOffset(counterId) + COUNTERS_STATE_OFFSET);
    }

    /**
     * The owning domain's slot.
     *
     * @param reader    the segment.
     * @param counterId the counter id.
     * @return the slot, unchecked.
     */
    static int domainSlot(final SegmentReader reader, final int counterId)
    {
        return reader.getInt(deviceCountersOffset(counterId) + COUNTERS_DOMAIN_SLOT_OFFSET);
    }

    /**
     * The owning domain's generation.
     *
     * @param reader    the segment.
     * @param counterId the counter id.
     * @return the generation.
     */
    static long domainGeneration(final SegmentReader reader, final int counterId)
    {
        return reader.getLong(deviceCountersOffset(counterId) + COUNTERS_DOMAIN_GENERATION_OFFSET);
    }

    /**
     * The device id in the owning process.
     *
     * @param reader    the segment.
     * @param counterId the counter id.
     * @return the dev id.
     */
    static int devId(final SegmentReader reader, final int counterId)
    {
        return reader.getInt(deviceCountersOffset(counterId) + COUNTERS_DEV_ID_OFFSET);
    }

    /**
     * The device name.
     *
     * @param reader    the segment.
     * @param counterId the counter id.
     * @return the name.
     */
    static String name(final SegmentReader reader, final int counterId)
    {
        final int offset = deviceCountersOffset(counterId);
        return reader.getString(
            offset + COUNTERS_NAME_OFFSET, offset + COUNTERS_NAME_LENGTH_OFFSET, MAX_DEVICE_NAME_LENGTH);
    }

    /**
     * Whether an entry is in use by a domain in a given generation.
     *
     * @param reader           the segment.
     * @param counterId        the counter id.
     * @param domainSlot       the domain slot.
     * @param domainGeneration its generation.
     * @return true when owned by that domain.
     */
    static boolean isOwnedBy(
        final SegmentReader reader, final int counterId, final int domainSlot, final long domainGeneration)
    {
        return state(reader, counterId) == COUNTERS_IN_USE && domainSlot(reader, counterId) == domainSlot &&
            domainGeneration(reader, counterId) == domainGeneration;
    }

    // ---------------------------------------------------------------- writers (lock held)

    /**
     * Sets the state, release store: IN_USE publishes an entry written while FREE.
     *
     * @param writer    the lock holder's writer.
     * @param counterId the counter id.
     * @param state     {@link ControlSegmentDescriptor#COUNTERS_FREE} or
     *                  {@link ControlSegmentDescriptor#COUNTERS_IN_USE}.
     */
    static void state(final FencedWriter writer, final int counterId, final int state)
    {
        writer.putIntRelease(deviceCountersOffset(counterId) + COUNTERS_STATE_OFFSET, state);
    }

    /**
     * Writes the owner and the device of a free entry being allocated, and zeroes the published information.
     *
     * @param writer           the lock holder's writer.
     * @param counterId        the counter id.
     * @param domainSlot       the owning domain's slot.
     * @param domainGeneration its generation.
     * @param devId            the device id in the owning process.
     * @param name             the device name, UTF-8, at most
     *                         {@link ControlSegmentDescriptor#MAX_DEVICE_NAME_LENGTH} bytes.
     */
    static void owner(
        final FencedWriter writer,
        final int counterId,
        final int domainSlot,
        final long domainGeneration,
        final int devId,
        final byte[] name)
    {
        final int offset = deviceCountersOffset(counterId);
        writer.putInt(offset + COUNTERS_DOMAIN_SLOT_OFFSET, domainSlot);
        writer.putLong(offset + COUNTERS_DOMAIN_GENERATION_OFFSET, domainGeneration);
        writer.putInt(offset + COUNTERS_DEV_ID_OFFSET, devId);
        writer.clear(offset + COUNTERS_NAME_OFFSET, MAX_DEVICE_NAME_LENGTH);
        writer.putBytes(offset + COUNTERS_NAME_OFFSET, name);
        writer.putInt(offset + COUNTERS_NAME_LENGTH_OFFSET, name.length);
        writer.clear(offset + COUNTERS_CAPABILITIES_OFFSET, COUNTERS_INFO_END_OFFSET - COUNTERS_CAPABILITIES_OFFSET);
    }
}
