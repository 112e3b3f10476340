package io.shmdma.shm.registry;

import io.shmdma.Errno;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;

/**
 * The group operations of the registry, run under the lock with its {@link FencedWriter}: create, join, leave,
 * destroy, and the steps the domain teardown and the repair share (destroying a group slot, removing a member,
 * recording a departure). Write orders, which the repair relies on:
 * <ul>
 *   <li>a group is written in state CREATING and published as ACTIVE last; it is destroyed by marking it
 *       DESTROYING first;</li>
 *   <li>a member is published by its membership token, then its handler table entry; it is removed by recording
 *       its departure, clearing the handler table entry (revocation), then its token.</li>
 * </ul>
 * Arguments are checked by {@link Registry}: slots in range, the caller's domain active and its own, the group
 * active.
 */
final class GroupMutations
{
    /** Result of one attempt of a mutation that must wait for members to acknowledge departures (never returned). */
    static final int WAIT_FOR_ACKNOWLEDGEMENTS = Integer.MIN_VALUE;

    private final SegmentReader reader;
    private final RegistryConfig config;
    private final long incarnation;
    private final Consumer<Throwable> errors;

    GroupMutations(
        final SegmentReader reader,
        final RegistryConfig config,
        final long incarnation,
        final Consumer<Throwable> errors)
    {
        this.reader = reader;
        this.config = config;
        this.incarnation = incarnation;
        this.errors = errors;
    }

    /**
     * Creates a group with its creator as member 0.
     *
     * @param writer            the lock holder's writer.
     * @param creatorDomainSlot an active domain of this process.
     * @param token             the group's secret.
     * @param name              UTF-8 name bytes, 0..MAX_NAME_LENGTH (empty: unnamed).
     * @return the group id, or -EINVAL, -EEXIST (a live group has that name), -ENOSPC.
     */
    int create(final FencedWriter writer, final int creatorDomainSlot, final UUID token, final byte[] name)
    {
        if (!DomainTable.isOwnedActive(reader, creatorDomainSlot, incarnation))
        {
            return -Errno.EINVAL;
        }
        if (name.length > 0 &&
            GroupTable.findByName(reader, new String(name, StandardCharsets.UTF_8)) >= 0)
        {
            return -Errno.EEXIST;
        }
        final int groupSlot = GroupTable.findFree(reader);
        final int handler = groupSlot < 0 ? -Errno.ENOSPC : allocateHandler(writer);
        if (handler < 0)
        {
            return handler;
        }

        writer.beginChange();
        GroupTable.state(writer, groupSlot, GroupTable.CREATING);
        final int idEpoch = GroupTable.idEpoch(reader, groupSlot);
        final int groupId = groupId(groupSlot, idEpoch);
        final long creatorGeneration = DomainTable.generation(reader, creatorDomainSlot);
        GroupTable.identity(
            writer, groupSlot, idEpoch + 1, groupId, nextSequence(writer), creatorDomainSlot, creatorGeneration);
        GroupTable.failedJoins(writer, groupSlot, 0);
        GroupTable.lockoutUntilNs(writer, groupSlot, 0);
        final byte[] salt = TokenHash.newSalt();
        GroupTable.tokenHash(writer, groupSlot, salt, TokenHash.hash(salt, token));
        GroupTable.createdEpochMs(writer, groupSlot, System.currentTimeMillis());
        GroupTable.name(writer, groupSlot, name);
        GroupTable.clearDepartures(writer, groupSlot);
        writeMember(writer, groupSlot, 0, creatorDomainSlot, creatorGeneration, handler);
        writer.pause("create:member-written");
        GroupTable.state(writer, groupSlot, GroupTable.ACTIVE);
        writer.endChange();
        return groupId;
    }

    /**
     * Joins a group, after the token and lockout checks.
     *
     * @param writer     the lock holder's writer.
     * @param domainSlot an active domain of this process.
     * @param token      the token offered.
     * @param groupSlot  the slot of an active group.
     * @return 0, or -EACCES, -EEXIST, -ENOSPC.
     */
    int join(final FencedWriter writer, final int domainSlot, final UUID token, final int groupSlot)
    {
        final long nowNs = System.nanoTime();
        final long lockoutUntilNs = GroupTable.lockoutUntilNs(reader, groupSlot);
        if (0 != lockoutUntilNs)
        {
            if (nowNs - lockoutUntilNs < 0)
            {
                return -Errno.EACCES;
            }
            GroupTable.lockoutUntilNs(writer, groupSlot, 0);
            GroupTable.failedJoins(writer, groupSlot, 0);
        }
        if (!GroupTable.tokenMatches(reader, groupSlot, token))
        {
            final int failedJoins = GroupTable.failedJoins(reader, groupSlot) + 1;
            if (failedJoins >= config.joinLockoutAttempts())
            {
                GroupTable.lockoutUntilNs(writer, groupSlot, nonZero(nowNs + config.joinLockoutDurationNs()));
                GroupTable.failedJoins(writer, groupSlot, 0);
                errors.accept(new SecurityException("group " + GroupTable.groupId(reader, groupSlot) +
                    " locked out for " + TimeUnit.NANOSECONDS.toMillis(config.joinLockoutDurationNs()) + " ms after " +
                    failedJoins + " wrong tokens in a row"));
            }
            else
            {
                GroupTable.failedJoins(writer, groupSlot, failedJoins);
            }
            return -Errno.EACCES;
        }
        GroupTable.failedJoins(writer, groupSlot, 0);
        final long domainGeneration = DomainTable.generation(reader, domainSlot);
        if (MemberTable.find(reader, groupSlot, domainSlot, domainGeneration) >= 0)
        {
            return -Errno.EEXIST;
        }
        final int memberSlot = MemberTable.findFreeJoinerSlot(reader, groupSlot);
        final int handler = memberSlot < 0 ? -Errno.ENOSPC : allocateHandler(writer);
        if (handler < 0)
        {
            return handler;
        }
        writer.beginChange();
        writeMember(writer, groupSlot, memberSlot, domainSlot, domainGeneration, handler);
        writer.endChange();
        return 0;
    }

    /**
     * Leaves a group, once the leaver has taken every departure and no live member would miss its departure.
     *
     * @param writer     the lock holder's writer.
     * @param domainSlot an active domain of this process.
     * @param groupSlot  the slot of an active group.
     * @return 0, or -EPERM, -ENOENT, or {@link #WAIT_FOR_ACKNOWLEDGEMENTS}.
     */
    int leave(final FencedWriter writer, final int domainSlot, final int groupSlot)
    {
        final long domainGeneration = DomainTable.generation(reader, domainSlot);
        if (GroupTable.isCreatedBy(reader, groupSlot, domainSlot, domainGeneration))
        {
            return -Errno.EPERM;
        }
        final int memberSlot = MemberTable.find(reader, groupSlot, domainSlot, domainGeneration);
        if (memberSlot < 0)
        {
            return -Errno.ENOENT;
        }
        final long count = GroupTable.departureCount(reader, groupSlot);
        if (GroupTable.acknowledged(reader, groupSlot, memberSlot, count) < count ||
            null != memberBehind(groupSlot, memberSlot, count + 1 - DEPARTURE_RING_CAPACITY, System.nanoTime()))
        {
            return WAIT_FOR_ACKNOWLEDGEMENTS;
        }
        writer.beginChange();
        removeMember(writer, groupSlot, memberSlot, true);
        writer.endChange();
        return 0;
    }

    /**
     * Destroys a group once every joiner has left and the creator has taken every departure.
     *
     * @param writer     the lock holder's writer.
     * @param domainSlot an active domain of this process.
     * @param groupSlot  the slot of an active group.
     * @return 0, or -EPERM, -EBUSY, or {@link #WAIT_FOR_ACKNOWLEDGEMENTS}.
     */
    int destroy(final FencedWriter writer, final int domainSlot, final int groupSlot)
    {
        if (!GroupTable.isCreatedBy(reader, groupSlot, domainSlot, DomainTable.generation(reader, domainSlot)))
        {
            return -Errno.EPERM;
        }
        for (int memberSlot = 1; memberSlot < MEMBERS_PER_GROUP; memberSlot++)
        {
            if (MemberTable.token(reader, groupSlot, memberSlot) != 0)
            {
                return -Errno.EBUSY;
            }
        }
        final long count = GroupTable.departureCount(reader, groupSlot);
        if (GroupTable.acknowledged(reader, groupSlot, 0, count) < count)
        {
            return WAIT_FOR_ACKNOWLEDGEMENTS;
        }
        writer.beginChange();
        destroySlot(writer, groupSlot);
        writer.endChange();
        return 0;
    }

    /**
     * The handler of a member, for a requester that is a member (read under the lock).
     *
     * @param requesterDomainSlot an active domain of this process.
     * @param groupSlot           the slot of an active group.
     * @param targetDomain        the member's UUID.
     * @return the handler, or -EPERM, -ENOENT.
     */
    int handlerOf(final int requesterDomainSlot, final int groupSlot, final UUID targetDomain)
    {
        final long requesterGeneration = DomainTable.generation(reader, requesterDomainSlot);
        if (MemberTable.find(reader, groupSlot, requesterDomainSlot, requesterGeneration) < 0)
        {
            return -Errno.EPERM;
        }
        for (int memberSlot = 0; memberSlot < MEMBERS_PER_GROUP; memberSlot++)
        {
            if (MemberTable.token(reader, groupSlot, memberSlot) != 0 &&
                MemberTable.isDomainCurrent(reader, groupSlot, memberSlot) &&
                targetDomain.equals(DomainTable.uuid(reader, MemberTable.domainSlot(reader, groupSlot, memberSlot))))
            {
                return MemberTable.handler(reader, groupSlot, memberSlot);
            }
        }
        return -Errno.ENOENT;
    }

    /**
     * Destroys a group slot: DESTROYING first, then every member removed without a departure (GROUP_DESTROYED tells
     * the members, not MEMBER_LEFT), the token forgotten, FREE last.
     *
     * @param writer    the lock holder's writer.
     * @param groupSlot the group slot.
     */
    void destroySlot(final FencedWriter writer, final int groupSlot)
    {
        GroupTable.state(writer, groupSlot, GroupTable.DESTROYING);
        writer.pause("destroy:state-destroying");
        for (int memberSlot = 0; memberSlot < MEMBERS_PER_GROUP; memberSlot++)
        {
            if (MemberTable.token(reader, groupSlot, memberSlot) != 0 ||
                MemberTable.handler(reader, groupSlot, memberSlot) != 0)
            {
                removeMember(writer, groupSlot, memberSlot, false);
            }
        }
        GroupTable.clearTokenHash(writer, groupSlot);
        GroupTable.failedJoins(writer, groupSlot, 0);
        GroupTable.lockoutUntilNs(writer, groupSlot, 0);
        GroupTable.state(writer, groupSlot, GroupTable.FREE);
    }

    /**
     * Removes a member: its departure recorded (when asked), its handler revoked if it still names it, its slot
     * freed.
     *
     * @param writer          the lock holder's writer.
     * @param groupSlot       the group slot.
     * @param memberSlot      the member slot.
     * @param recordDeparture whether the other members' listeners hear of it as a departure.
     */
    void removeMember(
        final FencedWriter writer, final int groupSlot, final int memberSlot, final boolean recordDeparture)
    {
        if (recordDeparture)
        {
            recordDeparture(writer, groupSlot, memberSlot);
        }
        final int handler = MemberTable.handler(reader, groupSlot, memberSlot);
        if (HandlerTable.names(reader, handler, groupSlot, memberSlot))
        {
            HandlerTable.entry(writer, handler, 0);
        }
        writer.pause("leave:handler-revoked");
        MemberTable.clear(writer, groupSlot, memberSlot);
    }

    /**
     * The first live member of a group, other than one, that has not acknowledged departure {@code needed}: a
     * member whose domain is dead (heartbeat older than the liveness timeout) or gone is never waited for.
     *
     * @param groupSlot        the group slot.
     * @param exceptMemberSlot the member not to look at.
     * @param needed           the departure every other live member must have taken.
     * @param nowNs            {@link System#nanoTime()}.
     * @return a description of that member, or null when none is behind.
     */
    String memberBehind(final int groupSlot, final int exceptMemberSlot, final long needed, final long nowNs)
    {
        if (needed <= 0)
        {
            return null;
        }
        final long count = GroupTable.departureCount(reader, groupSlot);
        for (int memberSlot = 0; memberSlot < MEMBERS_PER_GROUP; memberSlot++)
        {
            if (memberSlot == exceptMemberSlot || MemberTable.token(reader, groupSlot, memberSlot) == 0 ||
                !MemberTable.isDomainCurrent(reader, groupSlot, memberSlot))
            {
                continue;
            }
            final int domainSlot = MemberTable.domainSlot(reader, groupSlot, memberSlot);
            final long acknowledged = GroupTable.acknowledged(reader, groupSlot, memberSlot, count);
            if (acknowledged < needed &&
                DomainTable.isAlive(reader, domainSlot, incarnation, nowNs, config.livenessTimeoutNs()))
            {
                return "member " + DomainTable.uuid(reader, domainSlot) + " (pid " +
                    DomainTable.pid(reader, domainSlot) + ") acknowledged departure " + acknowledged + " of " + count;
            }
        }
        return null;
    }

    /**
     * Appends a member about to be removed to its group's departure ring, so that every listener hears of it
     * even when the membership began and ended between two of its snapshots. Callers that can wait have checked that
     * no live member still needs the entry this overwrites; a repair cannot wait, and a member that loses an
     * entry that way sees the gap in the numbers and records it.
     */
    private void recordDeparture(final FencedWriter writer, final int groupSlot, final int memberSlot)
    {
        final long token = MemberTable.token(reader, groupSlot, memberSlot);
        final int domainSlot = MemberTable.domainSlot(reader, groupSlot, memberSlot);
        if (0 == token || !DomainTable.isSlot(domainSlot))
        {
            return;
        }
        final long last = GroupTable.departureCount(reader, groupSlot);
        if (last > 0 && GroupTable.departureNumber(reader, groupSlot, last) == last &&
            GroupTable.departureToken(reader, groupSlot, last) == token)
        {
            return; // recorded by a removal that died half way (its repair finishes it): one departure, not two
        }
        GroupTable.appendDeparture(writer, groupSlot, last + 1, token, DomainTable.uuid(reader, domainSlot));
    }

    private void writeMember(
        final FencedWriter writer, final int groupSlot, final int memberSlot, final int domainSlot,
        final long domainGeneration, final int handler)
    {
        MemberTable.fields(writer, groupSlot, memberSlot, domainSlot, domainGeneration, handler);
        GroupTable.acknowledged(writer, groupSlot, memberSlot, GroupTable.departureCount(reader, groupSlot));
        MemberTable.token(writer, groupSlot, memberSlot, nextSequence(writer));
        writer.pause("join:member-written");
        HandlerTable.entry(writer, handler, handlerEntry(groupSlot, memberSlot));
    }

    /**
     * A free handler from the counter that goes round all 65535 values, skipping 0 and values in use.
     */
    private int allocateHandler(final FencedWriter writer)
    {
        long counter = reader.getLong(HANDLER_COUNTER_OFFSET);
        try
        {
            for (int attempt = 0; attempt < MAX_HANDLER; attempt++)
            {
                final int handler = (int)(Long.remainderUnsigned(counter, MAX_HANDLER)) + 1;
                counter++;
                if (HandlerTable.entry(reader, handler) == 0)
                {
                    return handler;
                }
            }
            return -Errno.ENOSPC;
        }
        finally
        {
            writer.putLongRelease(HANDLER_COUNTER_OFFSET, counter);
        }
    }

    /**
     * The next value of the sequence that issues membership tokens and group generations, never reused.
     */
    private long nextSequence(final FencedWriter writer)
    {
        final long next = reader.getLong(SEQUENCE_OFFSET) + 1;
        writer.putLongRelease(SEQUENCE_OFFSET, next);
        return next;
    }

    private static long nonZero(final long value)
    {
        return 0 == value ? 1 : value;
    }
}
