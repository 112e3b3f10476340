package io.shmdma.shm;

import io.shmdma.GroupEventListener;
import io.shmdma.GroupEventType;
import io.shmdma.shm.registry.ControlSegmentDescriptor;
import io.shmdma.shm.registry.Departure;
import io.shmdma.shm.registry.GroupView;
import io.shmdma.shm.registry.MemberView;
import io.shmdma.shm.registry.Registry;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * One device's membership of one group, with the members it last saw and the group's departures it has
 * accounted for. A fresh registry snapshot yields the events, each once per listener: MEMBER_LEFT for every
 * departure recorded since (even of a membership that began and ended between two snapshots), and for a
 * known member gone when more departures happened than the group's ring keeps; GROUP_DESTROYED when the
 * group is gone.
 */
final class GroupMembership
{
    private final int groupId;
    private final boolean creator;
    private final GroupEventListener listener;
    private long groupGeneration;
    private UUID creatorDomain;
    private Map<Long, UUID> knownMembers = new HashMap<>();
    /** Departures of the group already accounted for: those before this membership began, or already told. */
    private long departuresSeen;
    private volatile boolean departing;

    GroupMembership(final int groupId, final boolean creator, final GroupEventListener listener, final Registry registry)
    {
        this.groupId = groupId;
        this.creator = creator;
        this.listener = listener;
        for (final GroupView group : registry.groups())
        {
            if (group.groupId() == groupId)
            {
                remember(group);
            }
        }
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
     * Marks that this device is leaving or destroying the group itself, so no event is raised for it.
     *
     * @param departing true before the registry call, false again if it failed.
     */
    void departing(final boolean departing)
    {
        this.departing = departing;
    }

    /**
     * Compares with a snapshot and notifies the listener.
     *
     * @return false when the group is gone and this membership should be forgotten.
     */
    boolean update(
        final int devId, final List<GroupView> groups, final UUID selfDomain, final Consumer<Throwable> errors)
    {
        GroupView current = null;
        for (final GroupView group : groups)
        {
            if (group.groupId() == groupId && group.generation() == groupGeneration)
            {
                current = group;
                break;
            }
        }
        if (departing)
        {
            return true;
        }
        if (current == null)
        {
            notify(devId, creatorDomain, GroupEventType.GROUP_DESTROYED, errors);
            return false;
        }
        final Map<Long, UUID> now = new HashMap<>();
        for (final MemberView member : current.members())
        {
            now.put(member.membershipToken(), member.domainId());
        }
        if (current.departureCount() - departuresSeen > ControlSegmentDescriptor.DEPARTURE_RING_CAPACITY)
        {
            errors.accept(new IllegalStateException("group " + groupId + ": more members departed between two " +
                "conductor cycles than the departure ring keeps (" + ControlSegmentDescriptor.DEPARTURE_RING_CAPACITY +
                "); MEMBER_LEFT was not told for those this listener never saw"));
        }
        final Set<Long> heard = new HashSet<>();
        for (final Departure departure : current.departures())
        {
            if (departure.number() > departuresSeen && heard.add(departure.membershipToken()) &&
                !departure.domainId().equals(selfDomain))
            {
                notify(devId, departure.domainId(), GroupEventType.MEMBER_LEFT, errors);
            }
        }
        departuresSeen = current.departureCount();
        for (final Map.Entry<Long, UUID> known : knownMembers.entrySet())
        {
            if (!now.containsKey(known.getKey()) && !heard.contains(known.getKey()) &&
                !known.getValue().equals(selfDomain))
            {
                notify(devId, known.getValue(), GroupEventType.MEMBER_LEFT, errors);
            }
        }
        knownMembers = now;
        if (!now.containsValue(selfDomain))
        {
            notify(devId, selfDomain, GroupEventType.MEMBER_LEFT, errors);
            return false;
        }
        return true;
    }

    private void remember(final GroupView group)
    {
        groupGeneration = group.generation();
        creatorDomain = group.creatorDomainId();
        departuresSeen = group.departureCount();
        knownMembers = new HashMap<>();
        for (final MemberView member : group.members())
        {
            knownMembers.put(member.membershipToken(), member.domainId());
        }
    }

    private void notify(
        final int devId, final UUID domainId, final GroupEventType type, final Consumer<Throwable> errors)
    {
        if (listener != null)
        {
            try
            {
                listener.onEvent(devId, groupId, domainId, type);
            }
            catch (final RuntimeException ex)
            {
                errors.accept(ex);
            }
        }
    }
}
