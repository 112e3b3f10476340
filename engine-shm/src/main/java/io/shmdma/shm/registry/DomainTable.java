package io.shmdma.shm.registry;

import java.util.UUID;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;

/**
 * Typed access to the domain table of the control segment ({@link ControlSegmentDescriptor}, "DOMAIN TABLE"), in
 * the style of Aeron's {@code LogBufferDescriptor}: every field's offset arithmetic is here and nowhere else.
 * Readers take a {@link SegmentReader}; writers take the {@link FencedWriter} that only the holder of the registry
 * lock has. A domain slot argument must be in 0..{@link ControlSegmentDescriptor#DOMAIN_CAPACITY} - 1 unless said.
 */
final class DomainTable
{
    static final int FREE = DomainState.FREE.code();
    static final int ACTIVE = DomainState.ACTIVE.code();
    static final int DEAD = DomainState.DEAD.code();

    private DomainTable()
    {
    }

    /**
     * Whether a slot number names a slot of the table.
     *
     * @param slot any int, for example read from the segment.
     * @return true when in range.
     */
    static boolean isSlot(final int slot)
    {
        return slot >= 0 && slot < DOMAIN_CAPACITY;
    }

    /**
     * The state, acquire load.
     *
     * @param reader the segment.
     * @param slot   the domain slot.
     * @return one of the {@link DomainState} codes, or anything when corrupt.
     */
    static int state(final SegmentReader reader, final int slot)
    {
        return reader.getIntAcquire(domainOffset(slot) + DOMAIN_STATE_OFFSET);
    }

    /**
     * The heartbeat, acquire load.
     *
     * @param reader the segment.
     * @param slot   the domain slot.
     * @return the owner's {@link System#nanoTime()} at its last heartbeat.
     */
    static long heartbeatNs(final SegmentReader reader, final int slot)
    {
        return reader.getLongAcquire(domainOffset(slot) + DOMAIN_HEARTBEAT_NS_OFFSET);
    }

    /**
     * The generation, acquire load.
     *
     * @param reader the segment.
     * @param slot   the domain slot.
     * @return the generation, bumped each time the slot is taken.
     */
    static long generation(final SegmentReader reader, final int slot)
    {
        return reader.getLongAcquire(domainOffset(slot) + DOMAIN_GENERATION_OFFSET);
    }

    /**
     * The owner's incarnation id, acquire load.
     *
     * @param reader the segment.
     * @param slot   the domain slot.
     * @return the id.
     */
    static long incarnation(final SegmentReader reader, final int slot)
    {
        return reader.getLongAcquire(domainOffset(slot) + DOMAIN_INCARNATION_OFFSET);
    }

    /**
     * The owner's pid (for people; not an identity).
     *
     * @param reader the segment.
     * @param slot   the domain slot.
     * @return the pid.
     */
    static long pid(final SegmentReader reader, final int slot)
    {
        return reader.getLong(domainOffset(slot) + DOMAIN_PID_OFFSET);
    }

    /**
     * The size of the domain segment file.
     *
     * @param reader the segment.
     * @param slot   the domain slot.
     * @return bytes.
     */
    static long segmentSize(final SegmentReader reader, final int slot)
    {
        return reader.getLong(domainOffset(slot) + DOMAIN_SEGMENT_SIZE_OFFSET);
    }

    /**
     * The registration time.
     *
     * @param reader the segment.
     * @param slot   the domain slot.
     * @return epoch milliseconds.
     */
    static long registeredEpochMs(final SegmentReader reader, final int slot)
    {
        return reader.getLong(domainOffset(slot) + DOMAIN_REGISTERED_EPOCH_MS_OFFSET);
    }

    /**
     * The domain's UUID.
     *
     * @param reader the segment.
     * @param slot   the domain slot.
     * @return a new UUID.
     */
    static UUID uuid(final SegmentReader reader, final int slot)
    {
        final int offset = domainOffset(slot);
        return new UUID(
            reader.getLong(offset + DOMAIN_UUID_MSB_OFFSET), reader.getLong(offset + DOMAIN_UUID_LSB_OFFSET));
    }

    /**
     * The file name of the domain segment.
     *
     * @param reader the segment.
     * @param slot   the domain slot.
     * @return the name.
     */
    static String segmentFileName(final SegmentReader reader, final int slot)
    {
        final int offset = domainOffset(slot);
        return reader.getString(
            offset + DOMAIN_SEGMENT_NAME_OFFSET, offset + DOMAIN_SEGMENT_NAME_LENGTH_OFFSET, MAX_SEGMENT_NAME_LENGTH);
    }

    /**
     * Whether a slot, of any value, is an active domain of one process.
     *
     * @param reader      the segment.
     * @param slot        any int.
     * @param incarnation the process's incarnation id.
     * @return true when in range, ACTIVE and owned by that incarnation.
     */
    static boolean isOwnedActive(final SegmentReader reader, final int slot, final long incarnation)
    {
        return isSlot(slot) && state(reader, slot) == ACTIVE && incarnation(reader, slot) == incarnation;
    }

    /**
     * Whether a slot, of any value, is an active domain still in the generation a member or group recorded.
     *
     * @param reader     the segment.
     * @param slot       any int.
     * @param generation the generation recorded.
     * @return true when in range, ACTIVE and of that generation.
     */
    static boolean isCurrent(final SegmentReader reader, final int slot, final long generation)
    {
        return isSlot(slot) && state(reader, slot) == ACTIVE && generation(reader, slot) == generation;
    }

    /**
     * Whether a domain is alive: owned by this process, or heartbeating within the liveness timeout.
     *
     * @param reader            the segment.
     * @param slot              the domain slot.
     * @param incarnation       this process's incarnation id.
     * @param nowNs             {@link System#nanoTime()}.
     * @param livenessTimeoutNs the liveness timeout.
     * @return true when alive.
     */
    static boolean isAlive(
        final SegmentReader reader,
        final int slot,
        final long incarnation,
        final long nowNs,
        final long livenessTimeoutNs)
    {
        return incarnation(reader, slot) == incarnation || nowNs - heartbeatNs(reader, slot) <= livenessTimeoutNs;
    }

    /**
     * Whether a process has an active domain.
     *
     * @param reader      the segment.
     * @param incarnation the process's incarnation id.
     * @return true when at least one.
     */
    static boolean hasActive(final SegmentReader reader, final long incarnation)
    {
        for (int slot = 0; slot < DOMAIN_CAPACITY; slot++)
        {
            if (state(reader, slot) == ACTIVE && incarnation(reader, slot) == incarnation)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * The slot of an active domain.
     *
     * @param reader   the segment.
     * @param domainId the UUID.
     * @param fromSlot the first slot to look at.
     * @return the slot, or -1 when no active domain from that slot on has that UUID.
     */
    static int findActive(final SegmentReader reader, final UUID domainId, final int fromSlot)
    {
        for (int slot = fromSlot; slot < DOMAIN_CAPACITY; slot++)
        {
            if (state(reader, slot) == ACTIVE && domainId.equals(uuid(reader, slot)))
            {
                return slot;
            }
        }
        return -1;
    }

    // ---------------------------------------------------------------- writers (lock held)

    /**
     * Sets the state, release store: ACTIVE publishes a domain written while FREE.
     *
     * @param writer the lock holder's writer.
     * @param slot   the domain slot.
     * @param state  one of the {@link DomainState} codes.
     */
    static void state(final FencedWriter writer, final int slot, final int state)
    {
        writer.putIntRelease(domainOffset(slot) + DOMAIN_STATE_OFFSET, state);
    }

    /**
     * Writes the fields of a registration (not the state), the heartbeat last with a release store.
     *
     * @param writer       the lock holder's writer.
     * @param slot         the domain slot.
     * @param generation   the slot's new generation.
     * @param incarnation  the owner's incarnation id.
     * @param domainId     the domain's UUID.
     * @param pid          the owner's pid.
     * @param segmentSize  the size of the domain segment.
     * @param segmentName  the segment file name, UTF-8, at most
     *                     {@link ControlSegmentDescriptor#MAX_SEGMENT_NAME_LENGTH} bytes.
     * @param heartbeatNs  the first heartbeat.
     */
    static void registration(
        final FencedWriter writer,
        final int slot,
        final long generation,
        final long incarnation,
        final UUID domainId,
        final long pid,
        final long segmentSize,
        final byte[] segmentName,
        final long heartbeatNs)
    {
        final int offset = domainOffset(slot);
        writer.putLong(offset + DOMAIN_GENERATION_OFFSET, generation);
        writer.putLong(offset + DOMAIN_INCARNATION_OFFSET, incarnation);
        writer.putLong(offset + DOMAIN_UUID_MSB_OFFSET, domainId.getMostSignificantBits());
        writer.putLong(offset + DOMAIN_UUID_LSB_OFFSET, domainId.getLeastSignificantBits());
        writer.putLong(offset + DOMAIN_PID_OFFSET, pid);
        writer.putLong(offset + DOMAIN_SEGMENT_SIZE_OFFSET, segmentSize);
        writer.putLong(offset + DOMAIN_REGISTERED_EPOCH_MS_OFFSET, System.currentTimeMillis());
        writer.clear(offset + DOMAIN_SEGMENT_NAME_OFFSET, MAX_SEGMENT_NAME_LENGTH);
        writer.putBytes(offset + DOMAIN_SEGMENT_NAME_OFFSET, segmentName);
        writer.putInt(offset + DOMAIN_SEGMENT_NAME_LENGTH_OFFSET, segmentName.length);
        writer.putLongRelease(offset + DOMAIN_HEARTBEAT_NS_OFFSET, heartbeatNs);
    }
}
