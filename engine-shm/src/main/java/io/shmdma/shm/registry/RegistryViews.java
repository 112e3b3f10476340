package io.shmdma.shm.registry;

import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.function.Supplier;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;

/**
 * The read side of the registry: copies of domains, groups and device counters, read without the lock. Snapshots of
 * the domain and group tables use the change count as a seqlock (a mutation makes it odd while it runs and bumps it
 * by two), so a copy is never half of one mutation and half of another; a read that keeps failing (a mutation whose
 * holder died) falls back to reading under the lock, which recovers the dead holder, or, read-only, to a best-effort
 * read. Device counters are single values, read without the seqlock.
 */
final class RegistryViews
{
    private static final int SNAPSHOT_ATTEMPTS = 200;

    private final SegmentReader reader;
    private final OwnerStores ownerStores;
    private final RegistryLock lock;
    private final boolean readOnly;

    RegistryViews(
        final SegmentReader reader, final OwnerStores ownerStores, final RegistryLock lock, final boolean readOnly)
    {
        this.reader = reader;
        this.ownerStores = ownerStores;
        this.lock = lock;
        this.readOnly = readOnly;
    }

    /**
     * A copy of one domain slot.
     *
     * @param slot the domain slot.
     * @return the domain, or empty when the slot is free or out of range.
     */
    Optional<DomainView> domain(final int slot)
    {
        if (!DomainTable.isSlot(slot))
        {
            return Optional.empty();
        }
        return Optional.ofNullable(consistentRead(() -> readDomain(slot, System.nanoTime())));
    }

    /**
     * A copy of every domain that is not free.
     *
     * @return the domains, by slot.
     */
    List<DomainView> domains()
    {
        return consistentRead(() ->
        {
            final long nowNs = System.nanoTime();
            return collect(DOMAIN_CAPACITY, slot -> readDomain(slot, nowNs));
        });
    }

    /**
     * A copy of every active group.
     *
     * @return the groups, by group slot.
     */
    List<GroupView> groups()
    {
        return consistentRead(() ->
        {
            final long nowNs = System.nanoTime();
            return collect(GROUP_CAPACITY, groupSlot -> readGroup(groupSlot, nowNs));
        });
    }

    /**
     * A copy of one active group.
     *
     * @param groupId the group id.
     * @return the group, or empty when it does not exist.
     */
    Optional<GroupView> group(final int groupId)
    {
        if (groupId < 0 || groupId > MAX_GROUP_ID)
        {
            return Optional.empty();
        }
        return Optional.ofNullable(consistentRead(() ->
        {
            final GroupView group = readGroup(groupSlot(groupId), System.nanoTime());
            return null != group && group.groupId() == groupId ? group : null;
        }));
    }

    /**
     * A copy of every allocated device counters slot.
     *
     * @return the counters, by counter id.
     */
    List<DeviceCountersView> deviceCounters()
    {
        return collect(DEVICE_COUNTERS_CAPACITY, this::readDeviceCounters);
    }

    /**
     * A copy of the information a device's owner published in its counters slot.
     *
     * @param counterId a counter id.
     * @return the information, or empty when the slot is out of range or not allocated.
     */
    Optional<DeviceInfoView> deviceInfo(final int counterId)
    {
        if (counterId < 0 || counterId >= DEVICE_COUNTERS_CAPACITY ||
            DeviceCounterTable.state(reader, counterId) != COUNTERS_IN_USE)
        {
            return Optional.empty();
        }
        return Optional.of(ownerStores.deviceCounters(counterId).info());
    }

    private DomainView readDomain(final int slot, final long nowNs)
    {
        final DomainState state = DomainState.of(DomainTable.state(reader, slot));
        if (null == state || state == DomainState.FREE)
        {
            return null;
        }
        final long heartbeatNs = DomainTable.heartbeatNs(reader, slot);
        return new DomainView(
            slot,
            DomainTable.uuid(reader, slot),
            state,
            DomainTable.generation(reader, slot),
            DomainTable.incarnation(reader, slot),
            DomainTable.pid(reader, slot),
            heartbeatNs,
            nowNs - heartbeatNs,
            DomainTable.segmentFileName(reader, slot),
            DomainTable.segmentSize(reader, slot),
            DomainTable.registeredEpochMs(reader, slot));
    }
    /**
     * A copy of one group slot, without the seqlock: under the lock, or inside {@link #consistentRead}.
     *
     * @param groupSlot the group slot.
     * @param nowNs     {@link System#nanoTime()}, for the members' heartbeat ages.
     * @return the group, or null when the slot holds no active group.
     */
    GroupView readGroup(final int groupSlot, final long nowNs)
    {
        if (GroupTable.state(reader, groupSlot) != GroupTable.ACTIVE)
        {
            return null;
        }
        final int creatorSlot = GroupTable.creatorSlot(reader, groupSlot);
        final List<MemberView> members = new ArrayList<>();
        for (int memberSlot = 0; memberSlot < MEMBERS_PER_GROUP; memberSlot++)
        {
            final long token = MemberTable.token(reader, groupSlot, memberSlot);
            final int slot = MemberTable.domainSlot(reader, groupSlot, memberSlot);
            if (0 != token && DomainTable.isSlot(slot))
            {
                members.add(new MemberView(
                    memberSlot,
                    DomainTable.uuid(reader, slot),
                    slot,
                    MemberTable.domainGeneration(reader, groupSlot, memberSlot),
                    MemberTable.handler(reader, groupSlot, memberSlot),
                    token,
                    nowNs - DomainTable.heartbeatNs(reader, slot),
                    memberSlot == 0,
                    GroupTable.acknowledged(
                        reader, groupSlot, memberSlot, GroupTable.departureCount(reader, groupSlot))));
            }
        }
        final long departureCount = GroupTable.departureCount(reader, groupSlot);
        final List<Departure> departures = new ArrayList<>();
        final long oldest = Math.max(1, departureCount - DEPARTURE_RING_CAPACITY + 1);
        for (long number = oldest; number <= departureCount; number++)
        {
            if (GroupTable.departureNumber(reader, groupSlot, number) == number)
            {
                departures.add(new Departure(number, GroupTable.departureToken(reader, groupSlot, number),
                    GroupTable.departureDomain(reader, groupSlot, number)));
            }
        }
        return new GroupView(
            GroupTable.groupId(reader, groupSlot),
            GroupTable.generation(reader, groupSlot),
            DomainTable.isSlot(creatorSlot) ? DomainTable.uuid(reader, creatorSlot) : null,
            creatorSlot,
            GroupTable.createdEpochMs(reader, groupSlot),
            List.copyOf(members),
            departureCount,
            List.copyOf(departures),
            GroupTable.name(reader, groupSlot));
    }

    /**
     * A copy of every published named region, by region slot, read with the seqlock.
     *
     * @return the regions.
     */
    List<RegionView> regions()
    {
        return consistentRead(() -> collect(REGION_CAPACITY, this::readRegion));
    }

    /**
     * A copy of the named regions a domain published, read with the seqlock.
     *
     * @param domainSlot       the domain slot.
     * @param domainGeneration its generation.
     * @return the regions, by region slot.
     */
    List<RegionView> regionsOf(final int domainSlot, final long domainGeneration)
    {
        return consistentRead(() -> collect(REGION_CAPACITY, regionSlot ->
            RegionTable.isOwnedBy(reader, regionSlot, domainSlot, domainGeneration) ? readRegion(regionSlot) : null));
    }

    /**
     * A copy of one region slot, without the seqlock. Every field is read once; an entry whose owner slot is out of
     * range or not active in the generation recorded, or whose length is not positive, is skipped as stale or
     * corrupt.
     *
     * @param regionSlot the region slot.
     * @return the region, or null when the slot is free or corrupt.
     */
    RegionView readRegion(final int regionSlot)
    {
        if (RegionTable.state(reader, regionSlot) != REGION_PUBLISHED)
        {
            return null;
        }
        final int domainSlot = RegionTable.domainSlot(reader, regionSlot);
        final long domainGeneration = RegionTable.domainGeneration(reader, regionSlot);
        final long length = RegionTable.length(reader, regionSlot);
        if (!DomainTable.isSlot(domainSlot) || length <= 0 ||
            DomainTable.state(reader, domainSlot) != DomainTable.ACTIVE ||
            DomainTable.generation(reader, domainSlot) != domainGeneration)
        {
            return null;
        }
        return new RegionView(
            regionSlot,
            DomainTable.uuid(reader, domainSlot),
            domainSlot,
            domainGeneration,
            RegionTable.name(reader, regionSlot),
            RegionTable.iova(reader, regionSlot),
            length,
            RegionTable.publishedEpochMs(reader, regionSlot));
    }

    private DeviceCountersView readDeviceCounters(final int counterId)
    {
        if (DeviceCounterTable.state(reader, counterId) != COUNTERS_IN_USE)
        {
            return null;
        }
        final DeviceCounters counters = ownerStores.deviceCounters(counterId);
        return new DeviceCountersView(
            counterId,
            DeviceCounterTable.domainSlot(reader, counterId),
            DeviceCounterTable.domainGeneration(reader, counterId),
            DeviceCounterTable.devId(reader, counterId),
            DeviceCounterTable.name(reader, counterId),
            counters.submitted(),
            counters.completed(),
            counters.errors(),
            counters.engineErrors());
    }

    /**
     * Runs a read of several fields as one consistent snapshot (the change count as a seqlock; see
     * {@link #consistentRead}). The read may run more than once, so it must start from scratch each time.
     *
     * @param snapshot the read.
     * @param <T>      its result type.
     * @return its result from a run no mutation overlapped.
     */
    <T> T read(final Supplier<T> snapshot)
    {
        return consistentRead(snapshot);
    }

    /**
     * Reads with the change count as a seqlock: retried while a mutation runs or ran meanwhile; after
     * {@value #SNAPSHOT_ATTEMPTS} attempts, read as it is (read-only) or under the lock, which recovers a dead holder.
     */
    private <T> T consistentRead(final Supplier<T> snapshot)
    {
        for (int attempt = 0; attempt < SNAPSHOT_ATTEMPTS; attempt++)
        {
            final long before = reader.getLongAcquire(CHANGE_COUNT_OFFSET);
            if ((before & 1) == 0)
            {
                try
                {
                    final T result = snapshot.get();
                    VarHandle.acquireFence();
                    if (reader.getLongVolatile(CHANGE_COUNT_OFFSET) == before)
                    {
                        return result;
                    }
                }
                catch (final RuntimeException tornRead)
                {
                    // a torn read of a half-written entry: read again
                }
            }
            RegistryLock.idle(attempt);
        }
        if (readOnly)
        {
            // a mutation is taking long, or its holder died: a tool may not recover it, so it reads as it is
            return snapshot.get();
        }
        // a mutation is taking long, or its holder died: take the lock, which recovers a dead holder
        return lock.locked(RegistryOperation.CHECK, writer -> snapshot.get(), rc -> snapshot.get());
    }

    private static <T> List<T> collect(final int capacity, final IntFunction<T> read)
    {
        final List<T> items = new ArrayList<>();
        for (int slot = 0; slot < capacity; slot++)
        {
            final T item = read.apply(slot);
            if (null != item)
            {
                items.add(item);
            }
        }
        return items;
    }
}
