package io.shmdma.shm.registry;

import java.util.UUID;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;

/**
 * Typed access to the group entries of the control segment ({@link ControlSegmentDescriptor}, "GROUP TABLE"): the
 * group's own fields, its acknowledged-departure cursors and its departure ring (the member table is
 * {@link MemberTable}). Every field's offset arithmetic is here and nowhere else. Readers take a
 * {@link SegmentReader}; writers take the {@link FencedWriter} of the lock holder. A group slot argument must be in
 * 0..{@link ControlSegmentDescriptor#GROUP_CAPACITY} - 1.
 */
final class GroupTable
{
    static final int FREE = GroupState.FREE.code();
    static final int CREATING = GroupState.CREATING.code();
    static final int ACTIVE = GroupState.ACTIVE.code();
    static final int DESTROYING = GroupState.DESTROYING.code();

    private GroupTable()
    {
    }

    /**
     * The state, acquire load.
     *
     * @param reader    the segment.
     * @param groupSlot the group slot.
     * @return one of the {@link GroupState} codes, or anything when corrupt.
     */
    static int state(final SegmentReader reader, final int groupSlot)
    {
        return reader.getIntAcquire(groupOffset(groupSlot) + GROUP_STATE_OFFSET);
    }

    /**
     * The group id handed out for the slot's current use.
     *
     * @param reader    the segment.
     * @param groupSlot the group slot.
     * @return the id.
     */
    static int groupId(final SegmentReader reader, final int groupSlot)
    {
        return reader.getInt(groupOffset(groupSlot) + GROUP_ID_OFFSET);
    }

    /**
     * How many times the slot was used.
     *
     * @param reader    the segment.
     * @param groupSlot the group slot.
     * @return the id epoch.
     */
    static int idEpoch(final SegmentReader reader, final int groupSlot)
    {
        return reader.getInt(groupOffset(groupSlot) + GROUP_ID_EPOCH_OFFSET);
    }

    /**
     * The group's generation, unique to each group ever created.
     *
     * @param reader    the segment.
     * @param groupSlot the group slot.
     * @return the generation.
     */
    static long generation(final SegmentReader reader, final int groupSlot)
    {
        return reader.getLong(groupOffset(groupSlot) + GROUP_GENERATION_OFFSET);
    }

    /**
     * The creator's domain slot.
     *
     * @param reader    the segment.
     * @param groupSlot the group slot.
     * @return the slot, unchecked.
     */
    static int creatorSlot(final SegmentReader reader, final int groupSlot)
    {
        return reader.getInt(groupOffset(groupSlot) + GROUP_CREATOR_SLOT_OFFSET);
    }

    /**
     * The creator's domain generation.
     *
     * @param reader    the segment.
     * @param groupSlot the group slot.
     * @return the generation.
     */
    static long creatorGeneration(final SegmentReader reader, final int groupSlot)
    {
        return reader.getLong(groupOffset(groupSlot) + GROUP_CREATOR_GENERATION_OFFSET);
    }

    /**
     * Consecutive wrong tokens.
     *
     * @param reader    the segment.
     * @param groupSlot the group slot.
     * @return the count.
     */
    static int failedJoins(final SegmentReader reader, final int groupSlot)
    {
        return reader.getInt(groupOffset(groupSlot) + GROUP_FAILED_JOINS_OFFSET);
    }

    /**
     * Until when joins are refused.
     *
     * @param reader    the segment.
     * @param groupSlot the group slot.
     * @return a {@link System#nanoTime()} deadline, 0 for none.
     */
    static long lockoutUntilNs(final SegmentReader reader, final int groupSlot)
    {
        return reader.getLong(groupOffset(groupSlot) + GROUP_LOCKOUT_UNTIL_NS_OFFSET);
    }

    /**
     * The creation time.
     *
     * @param reader    the segment.
     * @param groupSlot the group slot.
     * @return epoch milliseconds.
     */
    static long createdEpochMs(final SegmentReader reader, final int groupSlot)
    {
        return reader.getLong(groupOffset(groupSlot) + GROUP_CREATED_EPOCH_MS_OFFSET);
    }

    /**
     * The departure count, acquire load, never negative.
     *
     * @param reader    the segment.
     * @param groupSlot the group slot.
     * @return the number of the last departure recorded, 0 for none.
     */
    static long departureCount(final SegmentReader reader, final int groupSlot)
    {
        return Math.max(0, reader.getLongAcquire(groupOffset(groupSlot) + GROUP_DEPARTURE_COUNT_OFFSET));
    }

    /**
     * Whether a token hashes, with the group's salt, to the stored hash (constant-time compare).
     *
     * @param reader    the segment.
     * @param groupSlot the group slot.
     * @param token     the token offered.
     * @return true when it matches.
     */
    static boolean tokenMatches(final SegmentReader reader, final int groupSlot, final UUID token)
    {
        final int offset = groupOffset(groupSlot);
        final byte[] salt = new byte[TOKEN_SALT_LENGTH];
        final byte[] storedHash = new byte[TOKEN_HASH_LENGTH];
        reader.getBytes(offset + GROUP_TOKEN_SALT_OFFSET, salt);
        reader.getBytes(offset + GROUP_TOKEN_HASH_OFFSET, storedHash);
        return TokenHash.matches(storedHash, TokenHash.hash(salt, token));
    }

    /**
     * Whether a slot holds an active group of a given id.
     *
     * @param reader    the segment.
     * @param groupSlot the group slot.
     * @param groupId   the id.
     * @return true when ACTIVE with that id.
     */
    static boolean isActive(final SegmentReader reader, final int groupSlot, final int groupId)
    {
        return state(reader, groupSlot) == ACTIVE && groupId(reader, groupSlot) == groupId;
    }

    /**
     * Whether a group was created by a domain in a given generation.
     *
     * @param reader           the segment.
     * @param groupSlot        the group slot.
     * @param domainSlot       the domain slot.
     * @param domainGeneration its generation.
     * @return true when that domain is the creator.
     */
    static boolean isCreatedBy(
        final SegmentReader reader, final int groupSlot, final int domainSlot, final long domainGeneration)
    {
        return creatorSlot(reader, groupSlot) == domainSlot && creatorGeneration(reader, groupSlot) == domainGeneration;
    }

    /**
     * A member's acknowledged-departure cursor, read once (acquire) and clamped to 0..count: a value written by
     * another process is never trusted beyond what can be true.
     *
     * @param reader     the segment.
     * @param groupSlot  the group slot.
     * @param memberSlot the member slot.
     * @param count      the group's departure count.
     * @return the last departure the member took, 0..count.
     */
    static long acknowledged(final SegmentReader reader, final int groupSlot, final int memberSlot, final long count)
    {
        final long cursor = reader.getLongAcquire(ackCursorOffset(groupSlot, memberSlot));
        return Math.max(0, Math.min(cursor, count));
    }

    /**
     * The number in the ring entry that holds departure {@code number}, acquire load: the entry holds that
     * departure only when it equals {@code number}.
     *
     * @param reader    the segment.
     * @param groupSlot the group slot.
     * @param number    the departure number, 1 or more.
     * @return the number stored in its entry.
     */
    static long departureNumber(final SegmentReader reader, final int groupSlot, final long number)
    {
        return reader.getLongAcquire(departureOffset(groupSlot, number) + DEPARTURE_NUMBER_OFFSET);
    }

    /**
     * The membership token in the ring entry of departure {@code number}.
     *
     * @param reader    the segment.
     * @param groupSlot the group slot.
     * @param number    the departure number, 1 or more.
     * @return the token.
     */
    static long departureToken(final SegmentReader reader, final int groupSlot, final long number)
    {
        return reader.getLong(departureOffset(groupSlot, number) + DEPARTURE_TOKEN_OFFSET);
    }

    /**
     * The domain UUID in the ring entry of departure {@code number}.
     *
     * @param reader    the segment.
     * @param groupSlot the group slot.
     * @param number    the departure number, 1 or more.
     * @return a new UUID.
     */
    static UUID departureDomain(final SegmentReader reader, final int groupSlot, final long number)
    {
        final int entry = departureOffset(groupSlot, number);
        return new UUID(
            reader.getLong(entry + DEPARTURE_UUID_MSB_OFFSET), reader.getLong(entry + DEPARTURE_UUID_LSB_OFFSET));
    }
}
