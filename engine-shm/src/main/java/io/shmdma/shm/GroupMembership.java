package io.shmdma.shm;

import io.shmdma.GroupEventListener;
import io.shmdma.GroupEventType;
import io.shmdma.shm.registry.Departure;
import io.shmdma.shm.registry.GroupView;
import io.shmdma.shm.registry.MemberView;
import io.shmdma.shm.registry.Registry;

import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One device's membership of one group, as its conductor follows it. The membership starts from the group's
 * departure count at the join (read under the registry lock) and takes the group's departures in order, each
 * once: MEMBER_LEFT for every other member's departure (left, died, or undone by a repair), then acknowledges
 * them in the registry so their ring entries can be reused. It ends at its own departure (a leave, or a reap
 * when this process was declared dead: MEMBER_LEFT for itself) or when the group is gone (GROUP_DESTROYED).
 * <p>
 * Threads: built on the application thread; {@link #update} runs on the conductor thread only; {@link #departing}
 * is set by the application thread around its own leave or destroy.
 */
final class GroupMembership
{
    private final int groupId;
    private final boolean creator;
    private final GroupEventListener listener;
    private final long groupGeneration;
    private final UUID creatorDomain;
    private final long membershipToken;
    private final long joinedAfterDeparture;
    /** The last departure taken: its event queued, or passed over. Conductor thread only. */
    private long taken;
    /** The last departure acknowledged in the registry. Conductor thread only. */
    private long acknowledged;
    private boolean done;
    private volatile boolean departing;

    private GroupMembership(
        final int groupId, final boolean creator, final GroupEventListener listener, final long groupGeneration,
        final UUID creatorDomain, final long membershipToken, final long joinedAfterDeparture)
    {
        this.groupId = groupId;
        this.creator = creator;
        this.listener = listener;
        this.groupGeneration = groupGeneration;
        this.creatorDomain = creatorDomain;
        this.membershipToken = membershipToken;
        this.joinedAfterDeparture = joinedAfterDeparture;
        this.taken = joinedAfterDeparture;
        this.acknowledged = joinedAfterDeparture;
    }

    /**
     * The membership a create or join just made.
     *
     * @param group      the group as the registry handed it out under the lock, right after the create or join.
     * @param selfDomain this process's domain.
     * @param creator    whether this device created the group.
     * @param listener   the listener, or null.
     * @return the membership.
     */
    static GroupMembership of(
        final GroupView group, final UUID selfDomain, final boolean creator, final GroupEventListener listener)
    {
        final MemberView self = group.member(selfDomain).orElse(null);
        return new GroupMembership(group.groupId(), creator, listener, group.generation(), group.creatorDomainId(),
            null == self ? 0 : self.membershipToken(),
            null == self ? group.departureCount() : self.acknowledgedDepartures());
    }

    int groupId()
    {
        return groupId;
    }

    boolean creator()
    {
        return creator;
    }

    /**
     * The group's departure count when this membership began: it hears every departure numbered after it.
     *
     * @return the departure number.
     */
    long joinedAfterDeparture()
    {
        return joinedAfterDeparture;
    }

    /**
     * Marks that this device is leaving or destroying the group itself, so no event is raised for its own act.
     * The conductor keeps taking and acknowledging the departures before it meanwhile (the registry lets the leave
     * through only once this membership has taken all of them).
     *
     * @param departing true before the registry call, false again if it failed.
     */
    void departing(final boolean departing)
    {
        this.departing = departing;
    }

    /**
     * Whether this membership has ended and is to be forgotten.
     *
     * @return true once ended.
     */
    boolean isDone()
    {
        return done;
    }

    /**
     * Takes what a snapshot shows: queues this membership's events, in departure order, for as long as the
     * delivery queue has room, and acknowledges what it queued. Conductor thread only.
     *
     * @param devId      this device.
     * @param groups     a snapshot taken after this membership began.
     * @param selfDomain this process's domain.
     * @param domainSlot this process's domain slot.
     * @param registry   the registry, for the acknowledgement.
     * @param delivery   the delivery queue.
     * @param errors     receives what went wrong (departures lost to a forced reap or repair).
     * @return the number of events queued and departures taken.
     */
    int update(
        final int devId, final List<GroupView> groups, final UUID selfDomain, final int domainSlot,
        final Registry registry, final GroupEventDelivery delivery, final Consumer<Throwable> errors)
    {
        if (done)
        {
            return 0;
        }
        GroupView current = null;
        for (final GroupView group : groups)
        {
            if (group.groupId() == groupId && group.generation() == groupGeneration)
            {
                current = group;
                break;
            }
        }
        if (null == current)
        {
            if (!departing && !delivery.offer(listener, devId, groupId, creatorDomain, GroupEventType.GROUP_DESTROYED))
            {
                return 0;
            }
            done = true;
            return 1;
        }

        int work = 0;
        final long count = current.departureCount();
        for (final Departure departure : current.departures())
        {
            final long number = departure.number();
            if (number <= taken)
            {
                continue;
            }
            if (number != taken + 1)
            {
                if (departing)
                {
                    // this device's own leave or destroy is under way and the departure after the last one taken
                    // is gone: it was this membership's own, overwritten since (a snapshot read late); nothing here
                    // is for this listener. If the leave fails, the next snapshot is read with departing false.
                    return work;
                }
                reportLost(number - taken - 1, errors);
                if (current.memberByToken(membershipToken).isEmpty())
                {
                    // this membership ended among the departures lost (e.g. reaped during a long pause): what
                    // follows them happened after it
                    return work + endedWithoutOwnDeparture(devId, selfDomain, delivery);
                }
            }
            if (departure.membershipToken() == membershipToken)
            {
                if (!departing && !delivery.offer(listener, devId, groupId, selfDomain, GroupEventType.MEMBER_LEFT))
                {
                    return work;
                }
                taken = number;
                done = true;
                return work + 1;
            }
            if (!delivery.offer(listener, devId, groupId, departure.domainId(), GroupEventType.MEMBER_LEFT))
            {
                break;
            }
            taken = number;
            work++;
        }
        if (count > taken && current.departures().isEmpty() && !departing)
        {
            reportLost(count - taken, errors);
            taken = count;
        }
        if (taken > acknowledged && registry.acknowledgeDepartures(domainSlot, groupId, membershipToken, taken))
        {
            acknowledged = taken;
        }
        if (current.memberByToken(membershipToken).isEmpty() && taken >= count)
        {
            // gone without its own departure in the ring (overwritten by a forced reap or repair): still ended
            work += endedWithoutOwnDeparture(devId, selfDomain, delivery);
        }
        return work;
    }

    private int endedWithoutOwnDeparture(final int devId, final UUID selfDomain, final GroupEventDelivery delivery)
    {
        if (!departing && !delivery.offer(listener, devId, groupId, selfDomain, GroupEventType.MEMBER_LEFT))
        {
            return 0;
        }
        done = true;
        return 1;
    }

    private void reportLost(final long lost, final Consumer<Throwable> errors)
    {
        errors.accept(new IllegalStateException("group " + groupId + ": " + lost + " departure(s) were overwritten " +
            "before this member took them (a reap or close went ahead after waiting for it for the back-pressure " +
            "timeout, or a lock repair); MEMBER_LEFT was not told for them"));
    }
}
