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
     * The group's name: its length read once and clamped to 0..{@link ControlSegmentDescriptor#MAX_NAME_LENGTH},
     * decoded as UTF-8 (malformed bytes become U+FFFD).
     *
     * @param reader    the segment.
     * @param groupSlot the group slot.
     * @return the name, empty for an unnamed group.
     */
    static String name(final SegmentReader reader, final int groupSlot)
    {
        final int offset = groupOffset(groupSlot);
        return reader.getString(offset + GROUP_NAME_OFFSET, offset + GROUP_NAME_LENGTH_OFFSET, MAX_NAME_LENGTH);
    }

    /**
     * The slot of the live group (CREATING or ACTIVE) with a name.
     *
     * @param reader the segment.
     * @param name   a non-empty name.
     * @return the group slot, or -1 when no live group has that name.
     */
    static int findByName(final SegmentReader reader, final String name)
    {
        for (int groupSlot = 0; groupSlot < GROUP_CAPACITY; groupSlot++)
        {
            final int state = state(reader, groupSlot);
            if ((state == ACTIVE || state == CREATING) && name.equals(name(reader, groupSlot)))
            {
                return groupSlot;
            }
        }
        return -1;
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
     * The first free group slot.
     *
     * @param reader the segment.
     * @return the slot, or -1 when the table is full.
     */
    static int findFree(final SegmentReader reader)
    {
        for (int groupSlot = 0; groupSlot < GROUP_CAPACITY; groupSlot++)
        {
            if (state(reader, groupSlot) == FREE)
            {
                return groupSlot;
            }
        }
        return -1;
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

    // ---------------------------------------------------------------- writers (lock held)

    /**
     * Sets the state, release store: CREATING first and ACTIVE last when creating, DESTROYING first and FREE last
     * when destroying.
     *
     * @param writer    the lock holder's writer.
     * @param groupSlot the group slot.
     * @param state     one of the {@link GroupState} codes.
     */
    static void state(final FencedWriter writer, final int groupSlot, final int state)
    {
        writer.putIntRelease(groupOffset(groupSlot) + GROUP_STATE_OFFSET, state);
    }

    /**
     * Writes the identity of a group being created: the slot's id epoch and group id, the generation and the
     * creator.
     *
     * @param writer            the lock holder's writer.
     * @param groupSlot         the group slot.
     * @param idEpoch           the slot's new id epoch.
     * @param groupId           the group id.
     * @param generation        the group's generation.
     * @param creatorSlot       the creator's domain slot.
     * @param creatorGeneration its generation.
     */
    static void identity(
        final FencedWriter writer,
        final int groupSlot,
        final int idEpoch,
        final int groupId,
        final long generation,
        final int creatorSlot,
        final long creatorGeneration)
    {
        final int offset = groupOffset(groupSlot);
        writer.putInt(offset + GROUP_ID_EPOCH_OFFSET, idEpoch);
        writer.putInt(offset + GROUP_ID_OFFSET, groupId);
        writer.putLong(offset + GROUP_GENERATION_OFFSET, generation);
        writer.putInt(offset + GROUP_CREATOR_SLOT_OFFSET, creatorSlot);
        writer.putLong(offset + GROUP_CREATOR_GENERATION_OFFSET, creatorGeneration);
    }

    /**
     * Sets the group's name.
     *
     * @param writer    the lock holder's writer.
     * @param groupSlot the group slot.
     * @param name      UTF-8 bytes, 0..{@link ControlSegmentDescriptor#MAX_NAME_LENGTH} (empty: unnamed).
     */
    static void name(final FencedWriter writer, final int groupSlot, final byte[] name)
    {
        final int offset = groupOffset(groupSlot);
        writer.clear(offset + GROUP_NAME_OFFSET, MAX_NAME_LENGTH);
        writer.putBytes(offset + GROUP_NAME_OFFSET, name);
        writer.putInt(offset + GROUP_NAME_LENGTH_OFFSET, name.length);
    }

    /**
     * Sets the wrong-token count.
     *
     * @param writer      the lock holder's writer.
     * @param groupSlot   the group slot.
     * @param failedJoins the count.
     */
    static void failedJoins(final FencedWriter writer, final int groupSlot, final int failedJoins)
    {
        writer.putInt(groupOffset(groupSlot) + GROUP_FAILED_JOINS_OFFSET, failedJoins);
    }

    /**
     * Sets until when joins are refused.
     *
     * @param writer         the lock holder's writer.
     * @param groupSlot      the group slot.
     * @param lockoutUntilNs a {@link System#nanoTime()} deadline, 0 for none.
     */
    static void lockoutUntilNs(final FencedWriter writer, final int groupSlot, final long lockoutUntilNs)
    {
        writer.putLong(groupOffset(groupSlot) + GROUP_LOCKOUT_UNTIL_NS_OFFSET, lockoutUntilNs);
    }

    /**
     * Stores the salt and the salted hash of the group's token.
     *
     * @param writer    the lock holder's writer.
     * @param groupSlot the group slot.
     * @param salt      {@link ControlSegmentDescriptor#TOKEN_SALT_LENGTH} bytes.
     * @param hash      {@link ControlSegmentDescriptor#TOKEN_HASH_LENGTH} bytes.
     */
    static void tokenHash(final FencedWriter writer, final int groupSlot, final byte[] salt, final byte[] hash)
    {
        final int offset = groupOffset(groupSlot);
        writer.putBytes(offset + GROUP_TOKEN_SALT_OFFSET, salt);
        writer.putBytes(offset + GROUP_TOKEN_HASH_OFFSET, hash);
    }

    /**
     * Zeroes the salt and hash of the token.
     *
     * @param writer    the lock holder's writer.
     * @param groupSlot the group slot.
     */
    static void clearTokenHash(final FencedWriter writer, final int groupSlot)
    {
        writer.clear(groupOffset(groupSlot) + GROUP_TOKEN_SALT_OFFSET, TOKEN_SALT_LENGTH + TOKEN_HASH_LENGTH);
    }

    /**
     * Sets the creation time.
     *
     * @param writer         the lock holder's writer.
     * @param groupSlot      the group slot.
     * @param createdEpochMs epoch milliseconds.
     */
    static void createdEpochMs(final FencedWriter writer, final int groupSlot, final long createdEpochMs)
    {
        writer.putLong(groupOffset(groupSlot) + GROUP_CREATED_EPOCH_MS_OFFSET, createdEpochMs);
    }

    /**
     * Empties the departures of a group being created: count 0, every acknowledged-departure cursor and ring entry
     * zeroed.
     *
     * @param writer    the lock holder's writer.
     * @param groupSlot the group slot.
     */
    static void clearDepartures(final FencedWriter writer, final int groupSlot)
    {
        final int offset = groupOffset(groupSlot);
        writer.putLong(offset + GROUP_DEPARTURE_COUNT_OFFSET, 0);
        writer.clear(offset + GROUP_ACK_CURSORS_OFFSET, MEMBERS_PER_GROUP * ACK_CURSOR_LENGTH);
        writer.clear(offset + GROUP_DEPARTURES_OFFSET, DEPARTURE_RING_CAPACITY * DEPARTURE_ENTRY_LENGTH);
    }

    /**
     * Sets a member slot's acknowledged-departure cursor under the lock (at the join), release store; afterwards
     * only the member's own process moves it ({@link OwnerStores#acknowledge(int, int, long)}).
     *
     * @param writer       the lock holder's writer.
     * @param groupSlot    the group slot.
     * @param memberSlot   the member slot.
     * @param acknowledged the last departure the member has taken.
     */
    static void acknowledged(
        final FencedWriter writer, final int groupSlot, final int memberSlot, final long acknowledged)
    {
        writer.putLongRelease(ackCursorOffset(groupSlot, memberSlot), acknowledged);
    }

    /**
     * Appends departure {@code number} to the ring: its fields, then its number (release store), then the group's
     * departure count (release store). A reader trusts an entry only when it carries the number it expects.
     *
     * @param writer    the lock holder's writer.
     * @param groupSlot the group slot.
     * @param number    the departure number, the departure count plus one.
     * @param token     the departed membership's token.
     * @param domainId  the departed domain's UUID.
     */
    static void appendDeparture(
        final FencedWriter writer, final int groupSlot, final long number, final long token, final UUID domainId)
    {
        final int entry = departureOffset(groupSlot, number);
        writer.putLong(entry + DEPARTURE_TOKEN_OFFSET, token);
        writer.putLong(entry + DEPARTURE_UUID_MSB_OFFSET, domainId.getMostSignificantBits());
        writer.putLong(entry + DEPARTURE_UUID_LSB_OFFSET, domainId.getLeastSignificantBits());
        writer.putLongRelease(entry + DEPARTURE_NUMBER_OFFSET, number);
        writer.putLongRelease(groupOffset(groupSlot) + GROUP_DEPARTURE_COUNT_OFFSET, number);
    }
}
