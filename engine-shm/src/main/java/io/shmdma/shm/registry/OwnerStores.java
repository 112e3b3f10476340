package io.shmdma.shm.registry;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;

/**
 * The stores made to the control segment without the registry lock: each goes to a field or area that has one
 * writer, the process that owns it, as a heartbeat does. A domain's heartbeat, a member's acknowledged-departure
 * cursor, a device's counters and information ({@link DeviceCounters}) and a claimed error log chunk. Everything
 * else is written under the lock through {@link FencedWriter}. Allocation-free except where a method says so.
 */
final class OwnerStores
{
    private final AtomicBuffer buffer;

    OwnerStores(final AtomicBuffer buffer)
    {
        this.buffer = buffer;
    }

    /**
     * Heartbeats a domain: a release store. The caller has checked that the domain is its own and active.
     *
     * @param slot  the domain slot.
     * @param nowNs {@link System#nanoTime()}.
     */
    void heartbeat(final int slot, final long nowNs)
    {
        buffer.putLongRelease(domainOffset(slot) + DOMAIN_HEARTBEAT_NS_OFFSET, nowNs);
    }

    /**
     * Moves a member's acknowledged-departure cursor: a release store. The caller has checked that the member is
     * its own.
     *
     * @param groupSlot    the group slot.
     * @param memberSlot   the member slot.
     * @param acknowledged the last departure taken.
     */
    void acknowledge(final int groupSlot, final int memberSlot, final long acknowledged)
    {
        buffer.putLongRelease(ackCursorOffset(groupSlot, memberSlot), acknowledged);
    }

    /**
     * A flyweight over one device's counters (allocates it).
     *
     * @param counterId the counter id.
     * @return the counters.
     * @throws IllegalArgumentException when the id is out of range.
     */
    DeviceCounters deviceCounters(final int counterId)
    {
        return new DeviceCounters(buffer, counterId);
    }

    /**
     * A buffer over one error log chunk (allocates it), for the {@link org.agrona.concurrent.errors.DistinctErrorLog}
     * of the process that claimed the chunk, or for reading.
     *
     * @param chunk the chunk index.
     * @return a buffer over the chunk.
     */
    AtomicBuffer errorLogChunk(final int chunk)
    {
        return new UnsafeBuffer(buffer, errorLogChunkOffset(chunk), ERROR_LOG_CHUNK_LENGTH);
    }
}
