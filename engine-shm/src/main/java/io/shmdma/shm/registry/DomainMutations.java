package io.shmdma.shm.registry;

import io.shmdma.Errno;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;

/**
 * The domain operations of the registry, run under the lock with its {@link FencedWriter}: register, tear down
 * (unregister and reap) and the device counters a domain owns. Write orders, which the repair relies on: a domain
 * is written while FREE and published by its state (ACTIVE) last; it is torn down by marking it DEAD first, then
 * its groups destroyed, its memberships removed, its counters freed and its slot freed (the repair removes the
 * memberships and groups of a DEAD domain, and the next reap frees, and reports, its slot).
 */
final class DomainMutations
{
    private final SegmentReader reader;
    private final OwnerStores ownerStores;
    private final GroupMutations groups;
    private final RegistryConfig config;
    private final long incarnation;
    private final long pid;
    private final Consumer<Throwable> errors;

    DomainMutations(
        final SegmentReader reader,
        final OwnerStores ownerStores,
        final GroupMutations groups,
        final RegistryConfig config,
        final long incarnation,
        final long pid,
        final Consumer<Throwable> errors)
    {
        this.reader = reader;
        this.ownerStores = ownerStores;
        this.groups = groups;
        this.config = config;
        this.incarnation = incarnation;
        this.pid = pid;
        this.errors = errors;
    }

    /**
     * Longest wait of a leave, destroy or close for members to acknowledge departures: twice the liveness timeout.
     *
     * @param config the settings.
     * @return nanoseconds.
     */
    static long backPressureTimeoutNs(final RegistryConfig config)
    {
        return 2 * config.livenessTimeoutNs();
    }

    /**
     * Registers a domain of this process, tearing down a dead process's registration of the same UUID.
     *
     * @param writer      the lock holder's writer.
     * @param domainId    the UUID.
     * @param segmentName the segment file name, UTF-8, checked for length.
     * @param segmentSize the segment size.
     * @return the slot, or -EEXIST, -ENOSPC.
     */
    int register(final FencedWriter writer, final UUID domainId, final byte[] segmentName, final long segmentSize)
    {
        final long nowNs = System.nanoTime();
        for (int slot = DomainTable.findActive(reader, domainId, 0); slot >= 0;
            slot = DomainTable.findActive(reader, domainId, slot + 1))
        {
            if (isAlive(slot, nowNs))
            {
                return -Errno.EEXIST;
            }
            final long pidOfDead = DomainTable.pid(reader, slot);
            writer.beginChange();
            teardown(writer, slot);
            writer.endChange();
            errors.accept(new IllegalStateException("replaced the registration of domain " + domainId +
                " (slot " + slot + ", pid " + pidOfDead + ") whose heartbeat stopped"));
        }
        int slot = 0;
        while (slot < DOMAIN_CAPACITY && DomainTable.state(reader, slot) != DomainTable.FREE)
        {
            slot++;
        }
        if (slot == DOMAIN_CAPACITY)
        {
            return -Errno.ENOSPC;
        }

        writer.beginChange();
        DomainTable.registration(writer, slot, DomainTable.generation(reader, slot) + 1, incarnation, domainId, pid,
            segmentSize, segmentName, nowNs);
        writer.pause("register:fields-written");
        DomainTable.state(writer, slot, DomainTable.ACTIVE);
        writer.endChange();
        return slot;
    }

    /**
     * Unregisters a domain of this process, once nothing holds its teardown back or when forced.
     *
     * @param writer     the lock holder's writer.
     * @param domainSlot the slot, in range.
     * @param force      whether to go ahead even though a member is behind (the error log then says which).
     * @return 0, or -ENOENT, or {@link GroupMutations#WAIT_FOR_ACKNOWLEDGEMENTS}.
     */
    int unregister(final FencedWriter writer, final int domainSlot, final boolean force)
    {
        if (!DomainTable.isOwnedActive(reader, domainSlot, incarnation))
        {
            return -Errno.ENOENT;
        }
        final String behind = teardownHoldBack(domainSlot, System.nanoTime());
        if (null != behind)
        {
            if (!force)
            {
                return GroupMutations.WAIT_FOR_ACKNOWLEDGEMENTS;
            }
            errors.accept(backPressureError("closed domain", domainSlot, behind));
        }
        writer.beginChange();
        teardown(writer, domainSlot);
        writer.endChange();
        return 0;
    }

    /**
     * Whether a lock-free scan finds a domain to reap.
     *
     * @param nowNs {@link System#nanoTime()}.
     * @return true when at least one.
     */
    boolean hasReapable(final long nowNs)
    {
        for (int slot = 0; slot < DOMAIN_CAPACITY; slot++)
        {
            if (isReapable(slot, nowNs))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Tears down every reapable domain whose teardown nothing holds back (or that was held back too long).
     *
     * @param writer the lock holder's writer.
     * @param nowNs  {@link System#nanoTime()}.
     * @return what was reaped, also when the lock was lost half way.
     */
    List<ReapedDomain> reap(final FencedWriter writer, final long nowNs)
    {
        final List<ReapedDomain> reaped = new ArrayList<>();
        try
        {
            writer.beginChange();
            for (int slot = 0; slot < DOMAIN_CAPACITY; slot++)
            {
                if (isReapable(slot, nowNs))
                {
                    final long ageNs = nowNs - DomainTable.heartbeatNs(reader, slot);
                    final String behind = teardownHoldBack(slot, nowNs);
                    if (null != behind)
                    {
                        if (ageNs - config.livenessTimeoutNs() <= backPressureTimeoutNs(config))
                        {
                            continue; // deferred: the next call tries again
                        }
                        errors.accept(backPressureError("reaped dead domain", slot, behind));
                    }
                    final ReapedDomain domain = new ReapedDomain(
                        DomainTable.uuid(reader, slot), slot, DomainTable.generation(reader, slot),
                        DomainTable.pid(reader, slot), ageNs, DomainTable.segmentFileName(reader, slot),
                        DomainTable.segmentSize(reader, slot));
                    teardown(writer, slot);
                    reaped.add(domain);
                }
            }
            writer.endChange();
            for (final ReapedDomain domain : reaped)
            {
                errors.accept(new IllegalStateException("reaped dead domain " + domain.domainId() + " (slot " +
                    domain.slot() + ", pid " + domain.pid() + "): heartbeat " +
                    TimeUnit.NANOSECONDS.toMillis(domain.heartbeatAgeNs()) + " ms old"));
            }
            return reaped;
        }
        catch (final FencedWriter.LockLostException ex)
        {
            return reaped;
        }
    }

    /**
     * Allocates the counters of a device of this process.
     *
     * @param writer     the lock holder's writer.
     * @param domainSlot an active domain of this process.
     * @param devId      the device id.
     * @param name       the device name, UTF-8, cut to fit.
     * @return the counter id, or -EINVAL, -ENOSPC.
     */
    int allocateDeviceCounters(final FencedWriter writer, final int domainSlot, final int devId, final byte[] name)
    {
        if (!DomainTable.isOwnedActive(reader, domainSlot, incarnation))
        {
            return -Errno.EINVAL;
        }
        for (int counterId = 0; counterId < DEVICE_COUNTERS_CAPACITY; counterId++)
        {
            if (DeviceCounterTable.state(reader, counterId) == COUNTERS_FREE)
            {
                DeviceCounterTable.owner(
                    writer, counterId, domainSlot, DomainTable.generation(reader, domainSlot), devId, name);
                writer.checkLockHeld();
                ownerStores.deviceCounters(counterId).reset();
                DeviceCounterTable.state(writer, counterId, COUNTERS_IN_USE);
                return counterId;
            }
        }
        return -Errno.ENOSPC;
    }

    /**
     * Frees the counters of a device of this process.
     *
     * @param writer    the lock holder's writer.
     * @param counterId the counter id, in range.
     * @return 0, or -ENOENT when not allocated to an active domain of this process.
     */
    int freeDeviceCounters(final FencedWriter writer, final int counterId)
    {
        final int domainSlot = DeviceCounterTable.domainSlot(reader, counterId);
        if (!DomainTable.isOwnedActive(reader, domainSlot, incarnation) ||
            !DeviceCounterTable.isOwnedBy(reader, counterId, domainSlot, DomainTable.generation(reader, domainSlot)))
        {
            return -Errno.ENOENT;
        }
        DeviceCounterTable.state(writer, counterId, COUNTERS_FREE);
        return 0;
    }

    /**
     * Tears down a domain: DEAD first, then the groups it created destroyed, its memberships removed (with their
     * departures), its device counters and named regions freed, FREE last; the error log chunks of a process left
     * without a domain are released.
     *
     * @param writer the lock holder's writer.
     * @param slot   the domain slot.
     */
    void teardown(final FencedWriter writer, final int slot)
    {
        final long generation = DomainTable.generation(reader, slot);
        final long domainIncarnation = DomainTable.incarnation(reader, slot);
        DomainTable.state(writer, slot, DomainTable.DEAD);
        writer.pause("teardown:domain-dead");
        for (int groupSlot = 0; groupSlot < GROUP_CAPACITY; groupSlot++)
        {
            if (GroupTable.state(reader, groupSlot) == GroupTable.FREE)
            {
                continue;
            }
            if (GroupTable.isCreatedBy(reader, groupSlot, slot, generation))
            {
                groups.destroySlot(writer, groupSlot);
                continue;
            }
            for (int memberSlot = 0; memberSlot < MEMBERS_PER_GROUP; memberSlot++)
            {
                if (MemberTable.isMembershipOf(reader, groupSlot, memberSlot, slot, generation))
                {
                    groups.removeMember(writer, groupSlot, memberSlot, true);
                }
            }
        }
        for (int counterId = 0; counterId < DEVICE_COUNTERS_CAPACITY; counterId++)
        {
            if (DeviceCounterTable.isOwnedBy(reader, counterId, slot, generation))
            {
                DeviceCounterTable.state(writer, counterId, COUNTERS_FREE);
            }
        }
        RegionTable.freeOwnedBy(writer, reader, slot, generation);
        DomainTable.state(writer, slot, DomainTable.FREE);
        if (domainIncarnation != incarnation && !DomainTable.hasActive(reader, domainIncarnation))
        {
            ErrorLogChunks.releaseOwnedBy(writer, reader, domainIncarnation);
        }
    }

    /**
     * What holds back the teardown of a domain: a group it is a member of whose ring has no room for its departure
     * (a live member a ring behind), or a group it created whose live joiners have not all taken every departure.
     *
     * @return a description of the member that is behind, or null when the teardown may go ahead.
     */
    private String teardownHoldBack(final int slot, final long nowNs)
    {
        final long generation = DomainTable.generation(reader, slot);
        for (int groupSlot = 0; groupSlot < GROUP_CAPACITY; groupSlot++)
        {
            if (GroupTable.state(reader, groupSlot) != GroupTable.ACTIVE)
            {
                continue;
            }
            final long count = GroupTable.departureCount(reader, groupSlot);
            final String behind;
            if (GroupTable.isCreatedBy(reader, groupSlot, slot, generation))
            {
                behind = groups.memberBehind(groupSlot, 0, count, nowNs);
            }
            else
            {
                final int memberSlot = MemberTable.find(reader, groupSlot, slot, generation);
                behind = memberSlot < 0 ? null :
                    groups.memberBehind(groupSlot, memberSlot, count + 1 - DEPARTURE_RING_CAPACITY, nowNs);
            }
            if (null != behind)
            {
                return "group " + GroupTable.groupId(reader, groupSlot) + ": " + behind;
            }
        }
        return null;
    }

    private IllegalStateException backPressureError(final String what, final int slot, final String behind)
    {
        return new IllegalStateException(what + " " + DomainTable.uuid(reader, slot) + " after " +
            TimeUnit.NANOSECONDS.toMillis(backPressureTimeoutNs(config)) + " ms of back-pressure: " + behind +
            "; that member's listener misses the departures it did not take");
    }

    private boolean isAlive(final int slot, final long nowNs)
    {
        return DomainTable.isAlive(reader, slot, incarnation, nowNs, config.livenessTimeoutNs());
    }

    /**
     * A domain to tear down: an active domain of another process whose heartbeat is older than the liveness
     * timeout, or a DEAD domain (its process died while unregistering it).
     */
    private boolean isReapable(final int slot, final long nowNs)
    {
        final int state = DomainTable.state(reader, slot);
        return (state == DomainTable.ACTIVE && !isAlive(slot, nowNs)) || state == DomainTable.DEAD;
    }
}
