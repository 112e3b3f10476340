package io.shmdma.shm.registry;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;

/**
 * Typed access to the handler table of the control segment ({@link ControlSegmentDescriptor}, "HANDLER TABLE"),
 * whose entries encode (group slot, member slot) as {@link ControlSegmentDescriptor#handlerEntry(int, int)}. Loads
 * are acquire loads: the data path reads the table without the lock. Writers take the lock holder's
 * {@link FencedWriter}.
 */
final class HandlerTable
{
    private HandlerTable()
    {
    }

    /**
     * Whether a value can be a handler.
     *
     * @param handler any int.
     * @return true when 1..{@link ControlSegmentDescriptor#MAX_HANDLER}.
     */
    static boolean isHandler(final int handler)
    {
        return handler > 0 && handler <= MAX_HANDLER;
    }

    /**
     * The entry of a handler, acquire load.
     *
     * @param reader  the segment.
     * @param handler 0..{@link ControlSegmentDescriptor#MAX_HANDLER}.
     * @return the entry, 0 when free or revoked.
     */
    static int entry(final SegmentReader reader, final int handler)
    {
        return reader.getIntAcquire(handlerOffset(handler));
    }

    /**
     * Whether a handler, of any value, names a given member slot.
     *
     * @param reader     the segment.
     * @param handler    any int, for example read from a member entry.
     * @param groupSlot  the group slot.
     * @param memberSlot the member slot.
     * @return true when the handler is in range and its entry names that member slot.
     */
    static boolean names(final SegmentReader reader, final int handler, final int groupSlot, final int memberSlot)
    {
        return isHandler(handler) && entry(reader, handler) == handlerEntry(groupSlot, memberSlot);
    }

    /**
     * The entry of a handler when it names a member slot of an active group. Lock-free, allocation-free.
     *
     * @param reader  the segment.
     * @param handler any int.
     * @return the entry, or 0 when the handler is out of range, free, revoked or names no active group.
     */
    static int liveEntry(final SegmentReader reader, final int handler)
    {
        if (!isHandler(handler))
        {
            return 0;
        }
        final int entry = entry(reader, handler);
        if (0 == entry)
        {
            return 0;
        }
        final int groupSlot = handlerEntryGroupSlot(entry);
        if (groupSlot < 0 || groupSlot >= GROUP_CAPACITY || handlerEntryMemberSlot(entry) >= MEMBERS_PER_GROUP ||
            GroupTable.state(reader, groupSlot) != GroupTable.ACTIVE)
        {
            return 0;
        }
        return entry;
    }

    /**
     * Whether, after a member field was read through a handler's live entry, the member is still in use and still
     * holds the handler, its group is still active and the handler entry is still the one read: then the field read
     * belongs to that membership (a join writes the handler before the token; a leave clears the handler entry
     * first). Lock-free, allocation-free.
     *
     * @param reader  the segment.
     * @param handler the handler.
     * @param entry   its entry, from {@link #liveEntry(SegmentReader, int)}.
     * @return true when the read stands.
     */
    static boolean isStillMember(final SegmentReader reader, final int handler, final int entry)
    {
        final int groupSlot = handlerEntryGroupSlot(entry);
        final int memberSlot = handlerEntryMemberSlot(entry);
        return MemberTable.token(reader, groupSlot, memberSlot) != 0 &&
            MemberTable.handler(reader, groupSlot, memberSlot) == handler &&
            GroupTable.state(reader, groupSlot) == GroupTable.ACTIVE &&
            entry(reader, handler) == entry;
    }

    /**
     * Sets a handler's entry, release store: a member's entry publishes the handler, 0 revokes it.
     *
     * @param writer  the lock holder's writer.
     * @param handler 0..{@link ControlSegmentDescriptor#MAX_HANDLER}.
     * @param entry   {@link ControlSegmentDescriptor#handlerEntry(int, int)}, or 0.
     */
    static void entry(final FencedWriter writer, final int handler, final int entry)
    {
        writer.putIntRelease(handlerOffset(handler), entry);
    }
}
