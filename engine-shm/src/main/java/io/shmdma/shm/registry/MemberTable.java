package io.shmdma.shm.registry;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;

/**
 * Typed access to the member table of each group entry ({@link ControlSegmentDescriptor}, "MEMBER TABLE"): every
 * member field's offset arithmetic is here and nowhere else. Loads are acquire loads, since the data path reads
 * members without the lock. Readers take a {@link SegmentReader}; writers take the lock holder's
 * {@link FencedWriter}. Slots must be in range: group slot 0..{@link ControlSegmentDescriptor#GROUP_CAPACITY} - 1,
 * member slot 0 (the creator)..{@link ControlSegmentDescriptor#MEMBERS_PER_GROUP} - 1.
 */
final class MemberTable
{
    private MemberTable()
    {
    }

    /**
     * The membership token, acquire load.
     *
     * @param reader     the segment.
     * @param groupSlot  the group slot.
     * @param memberSlot the member slot.
     * @return the token, 0 when the member slot is free.
     */
    static long token(final SegmentReader reader, final int groupSlot, final int memberSlot)
    {
        return reader.getLongAcquire(memberOffset(groupSlot, memberSlot) + MEMBER_TOKEN_OFFSET);
    }

    /**
     * The member's domain slot, acquire load.
     *
     * @param reader     the segment.
     * @param groupSlot  the group slot.
     * @param memberSlot the member slot.
     * @return the domain slot, unchecked.
     */
    static int domainSlot(final SegmentReader reader, final int groupSlot, final int memberSlot)
    {
        return reader.getIntAcquire(memberOffset(groupSlot, memberSlot) + MEMBER_DOMAIN_SLOT_OFFSET);
    }

    /**
     * The generation of the member's domain when it joined, acquire load.
     *
     * @param reader     the segment.
     * @param groupSlot  the group slot.
     * @param memberSlot the member slot.
     * @return the generation.
     */
    static long domainGeneration(final SegmentReader reader, final int groupSlot, final int memberSlot)
    {
        return reader.getLongAcquire(memberOffset(groupSlot, memberSlot) + MEMBER_DOMAIN_GENERATION_OFFSET);
    }

    /**
     * The member's handler, acquire load.
     *
     * @param reader     the segment.
     * @param groupSlot  the group slot.
     * @param memberSlot the member slot.
     * @return the handler, 0 when none.
     */
    static int handler(final SegmentReader reader, final int groupSlot, final int memberSlot)
    {
        return reader.getIntAcquire(memberOffset(groupSlot, memberSlot) + MEMBER_HANDLER_OFFSET);
    }

    /**
     * Whether a member slot is in use by a domain in a given generation.
     *
     * @param reader           the segment.
     * @param groupSlot        the group slot.
     * @param memberSlot       the member slot.
     * @param domainSlot       the domain slot.
     * @param domainGeneration its generation.
     * @return true when that membership.
     */
    static boolean isMembershipOf(
        final SegmentReader reader,
        final int groupSlot,
        final int memberSlot,
        final int domainSlot,
        final long domainGeneration)
    {
        return token(reader, groupSlot, memberSlot) != 0 &&
            domainSlot(reader, groupSlot, memberSlot) == domainSlot &&
            domainGeneration(reader, groupSlot, memberSlot) == domainGeneration;
    }

    /**
     * The member slot of a domain in a group.
     *
     * @param reader           the segment.
     * @param groupSlot        the group slot.
     * @param domainSlot       the domain slot.
     * @param domainGeneration its generation.
     * @return the member slot, or -1 when that domain is not a member.
     */
    static int find(final SegmentReader reader, final int groupSlot, final int domainSlot, final long domainGeneration)
    {
        for (int memberSlot = 0; memberSlot < MEMBERS_PER_GROUP; memberSlot++)
        {
            if (isMembershipOf(reader, groupSlot, memberSlot, domainSlot, domainGeneration))
            {
                return memberSlot;
            }
        }
        return -1;
    }

    /**
     * The first free member slot for a joiner (slot 0 is the creator's).
     *
     * @param reader    the segment.
     * @param groupSlot the group slot.
     * @return the member slot, or -1 when the group is full.
     */
    static int findFreeJoinerSlot(final SegmentReader reader, final int groupSlot)
    {
        for (int memberSlot = 1; memberSlot < MEMBERS_PER_GROUP; memberSlot++)
        {
            if (token(reader, groupSlot, memberSlot) == 0)
            {
                return memberSlot;
            }
        }
        return -1;
    }

    /**
     * Whether a member's domain is still active in the generation it joined with.
     *
     * @param reader     the segment.
     * @param groupSlot  the group slot.
     * @param memberSlot the member slot.
     * @return true when current.
     */
    static boolean isDomainCurrent(final SegmentReader reader, final int groupSlot, final int memberSlot)
    {
        return DomainTable.isCurrent(
            reader, domainSlot(reader, groupSlot, memberSlot), domainGeneration(reader, groupSlot, memberSlot));
    }

    /**
     * Whether a member is in use and its handler table entry points back at it.
     *
     * @param reader     the segment.
     * @param groupSlot  the group slot.
     * @param memberSlot the member slot.
     * @return true when linked.
     */
    static boolean isLinked(final SegmentReader reader, final int groupSlot, final int memberSlot)
    {
        return token(reader, groupSlot, memberSlot) != 0 &&
            HandlerTable.names(reader, handler(reader, groupSlot, memberSlot), groupSlot, memberSlot);
    }

    // ---------------------------------------------------------------- writers (lock held)

    /**
     * Writes a member's fields other than its token (plain stores): the member is not in use until
     * {@link #token(FencedWriter, int, int, long)} publishes it.
     *
     * @param writer           the lock holder's writer.
     * @param groupSlot        the group slot.
     * @param memberSlot       the member slot.
     * @param domainSlot       the member's domain slot.
     * @param domainGeneration its generation.
     * @param handler          the member's handler.
     */
    static void fields(
        final FencedWriter writer,
        final int groupSlot,
        final int memberSlot,
        final int domainSlot,
        final long domainGeneration,
        final int handler)
    {
        final int offset = memberOffset(groupSlot, memberSlot);
        writer.putInt(offset + MEMBER_DOMAIN_SLOT_OFFSET, domainSlot);
        writer.putLong(offset + MEMBER_DOMAIN_GENERATION_OFFSET, domainGeneration);
        writer.putInt(offset + MEMBER_HANDLER_OFFSET, handler);
        writer.putLong(offset + MEMBER_JOINED_EPOCH_MS_OFFSET, System.currentTimeMillis());
    }

    /**
     * Sets the membership token, release store: non-zero publishes the member, 0 frees the slot.
     *
     * @param writer     the lock holder's writer.
     * @param groupSlot  the group slot.
     * @param memberSlot the member slot.
     * @param token      the token.
     */
    static void token(final FencedWriter writer, final int groupSlot, final int memberSlot, final long token)
    {
        writer.putLongRelease(memberOffset(groupSlot, memberSlot) + MEMBER_TOKEN_OFFSET, token);
    }

    /**
     * Frees a member slot: the token first (release store), then the other fields.
     *
     * @param writer     the lock holder's writer.
     * @param groupSlot  the group slot.
     * @param memberSlot the member slot.
     */
    static void clear(final FencedWriter writer, final int groupSlot, final int memberSlot)
    {
        token(writer, groupSlot, memberSlot, 0);
        final int offset = memberOffset(groupSlot, memberSlot);
        writer.putInt(offset + MEMBER_HANDLER_OFFSET, 0);
        writer.putInt(offset + MEMBER_DOMAIN_SLOT_OFFSET, 0);
        writer.putLong(offset + MEMBER_DOMAIN_GENERATION_OFFSET, 0);
        writer.putLong(offset + MEMBER_JOINED_EPOCH_MS_OFFSET, 0);
    }
}
