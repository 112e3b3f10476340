package io.shmdma.shm.registry;

import io.shmdma.AgronaAccess;
import io.shmdma.Errno;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.IntSupplier;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;

/**
 * The registry in the control segment: domains (one per process, or more), access pair groups with their
 * members and handlers, per-device counters and the error log, shared by every shmdma process on the host
 * through one mapped file (layout in {@link ControlSegmentDescriptor}).
 *
 * <h2>Errors</h2>
 * Control operations return 0 or a positive result, or a negative errno from {@link Errno}, exactly as the
 * {@code rte_dma_access_pair_group_*} functions; they never throw for these. Every mutation may also return
 * -ESRCH: this process held the lock but was stopped past the liveness timeout, another process took the lock
 * over, and the mutation stopped writing (see Lock). Opening throws {@link io.shmdma.DmaException} naming the file.
 *
 * <h2>Liveness</h2>
 * Each domain carries a heartbeat, {@link System#nanoTime()}, which HotSpot reads from CLOCK_MONOTONIC on Linux:
 * one clock for the whole host, so values written by different processes compare directly (processes must share
 * a time namespace, which is the default, containers included). A domain whose heartbeat is older than
 * {@link RegistryConfig#livenessTimeoutNs()} is dead. Each {@code Registry} instance has a random non-zero
 * <em>incarnation id</em> that names it in domain entries and in the lock, so a PID reused by the kernel, or the
 * same PID in another PID namespace, is never mistaken for the dead holder.
 *
 * <h2>Lock</h2>
 * Mutations take one lock, {@code RegistryLock}: a 64-bit word holding the holder's incarnation id (0 = free),
 * taken with CAS. A waiter that has seen the same holder for longer than the liveness timeout, and finds that holder
 * without a fresh heartbeat in any domain it owns, takes the lock over, records the takeover in the error log and
 * repairs the tables ({@code RegistryRepair}). Every mutation writes in an order that the repair can finish or undo
 * (the orders are written next to the code, in {@code DomainMutations} and {@code GroupMutations}); a DEAD domain's
 * slot is freed, and reported, by the next {@link #reapDeadDomains(long)}. Readers on the data path never take the
 * lock; snapshots use the change count as a seqlock ({@code RegistryViews}).
 * A live holder is only taken over if it stops heartbeating for the whole liveness timeout (for example a
 * stop-the-world pause or SIGSTOP longer than the timeout); choose the timeout well above the longest expected
 * pause. Such a holder, once resumed, must not write into tables that were repaired without it: every store of a
 * mutation goes through the {@code FencedWriter} that the lock hands out, which first re-reads the lock word and,
 * when it no longer holds this instance's incarnation, stops the mutation, which returns -ESRCH. A pause that
 * falls between that check and the single store after it can still let that one store through.
 *
 * <h2>Structure</h2>
 * This class is the façade: argument checks, the public contract and its Javadoc (44 public methods, which is
 * why it is over 800 lines), and delegation. Field access is in the per-table accessors ({@code DomainTable},
 * {@code GroupTable}, {@code MemberTable}, {@code HandlerTable}, {@code DeviceCounterTable}) over a read-only
 * {@code SegmentReader}; stores under the lock only through {@code FencedWriter}; the few stores without the lock,
 * each to a field with one writer, through {@code OwnerStores}. No class that changes the tables holds the
 * writable buffer.
 *
 * <h2>Groups</h2>
 * Group ids are 0..32767: the slot (0..255) plus 256 times the slot's reuse count modulo 128, so a stale group id
 * names nothing (-ENOENT) for the next 127 reuses of its slot. Tokens are stored only as SHA-256(salt || token)
 * with a random per-group salt and compared in constant time. After {@link RegistryConfig#joinLockoutAttempts()}
 * wrong tokens in a row for a group, every join of that group is refused with -EACCES, even with the right
 * token, for {@link RegistryConfig#joinLockoutDurationNs()}; a successful join resets the count.
 *
 * <h2>Handlers</h2>
 * Handlers (1..65535) come from a counter in the segment that goes round all 65535 values, skipping 0 and values
 * in use, so a revoked handler is not handed out again until the counter has come round once more. A handler
 * names a (group slot, member slot) in the handler table; {@link #membershipToken(int)} gives a 64-bit value
 * unique to that membership, never reused, so a driver that pinned it at vchan setup can tell per job that the
 * handler still means the same member.
 *
 * <h2>Read-only</h2>
 * {@link #openReadOnly} maps the file read-only for tools: it reads everything the snapshots and views give, never
 * registers a domain, never takes the lock and never writes; every method that would write throws
 * {@link IllegalStateException} instead.
 *
 * <h2>Threads</h2>
 * Thread safe. Data-path methods ({@link #membershipToken}, {@link #handlerDomainSlot},
 * {@link #domainGeneration}, {@link #heartbeat}) are lock-free and allocation-free. After {@link #close()} the
 * mapping is gone: data-path methods answer "not found" (0, -1 or false) and every other method that reads the
 * segment throws IllegalStateException; close only when no other thread is using the registry. Every locked
 * operation first checks that the file was not truncated by another process ({@link #isIntact()}) and answers
 * -EIO if it was.
 */
public final class Registry implements AutoCloseable
{
    private final RegistryConfig config;
    private final boolean readOnly;
    private final long incarnation;
    private final long pid;
    private final ControlSegmentFile file;
    private final SegmentReader reader;
    private final OwnerStores ownerStores;
    private final RegistryLock lock;
    private final RegistryErrorLog errorLog;
    private final RegistryViews views;
    private final RegistryRepair repair;
    private final GroupMutations groupMutations;
    private final DomainMutations domainMutations;
    private final NamedRegions namedRegions;
    private volatile boolean closed;
    private volatile Runnable backPressureNudge;

    private Registry(final ControlSegmentFile file, final RegistryConfig config, final boolean readOnly)
    {
        this.file = file;
        this.reader = new SegmentReader(file.buffer());
        this.ownerStores = new OwnerStores(file.buffer());
        this.config = config;
        this.readOnly = readOnly;
        this.incarnation = TokenHash.newNonZeroRandom();
        this.pid = ProcessHandle.current().pid();
        // the lock reports to the error log and repairs on a takeover: both are built below, before any lock is taken
        this.lock = new RegistryLock(file, reader, ownerStores, config, incarnation, pid, readOnly,
            this::afterTakeover, this::recordErrorUnlocked);
        this.errorLog = new RegistryErrorLog(lock, reader, ownerStores, incarnation, pid, file.path());
        this.views = new RegistryViews(reader, ownerStores, lock, readOnly);
        this.namedRegions = new NamedRegions(reader, views, incarnation);
        this.groupMutations = new GroupMutations(reader, config, incarnation, this::recordError);
        this.domainMutations =
            new DomainMutations(reader, ownerStores, groupMutations, config, incarnation, pid, this::recordError);
        this.repair = new RegistryRepair(reader, groupMutations, this::recordError);
    }

    /**
     * Maps the control segment, creating it when absent. Safe when several processes race on a fresh directory:
     * one file is published, every process maps it.
     *
     * @param file   the control segment file, e.g. {@code /dev/shm/shmdma-<user>/control.shm}.
     * @param config settings; validated here.
     * @return the registry.
     * @throws io.shmdma.DmaException naming the file: ENOSPC when the file system has no room for a new file,
     *                                EINVAL for a file that is not a valid control segment of this layout,
     *                                ETIMEDOUT when an existing file never becomes ready, EIO otherwise.
     */
    public static Registry openOrCreate(final Path file, final RegistryConfig config)
    {
        if (null == file || null == config)
        {
            throw new IllegalArgumentException("file and config are required");
        }
        AgronaAccess.ensureAvailable();
        config.validate();
        return new Registry(ControlSegmentFile.openOrCreate(file, config), config, false);
    }

    /**
     * Maps an existing control segment, for tools that must not create one.
     *
     * @param file   the control segment file.
     * @param config settings; validated here.
     * @return the registry.
     * @throws io.shmdma.DmaException naming the file: ENOENT when absent, EINVAL, ETIMEDOUT or EIO as for
     *                                {@link #openOrCreate(Path, RegistryConfig)}.
     */
    public static Registry openExisting(final Path file, final RegistryConfig config)
    {
        if (null == file || null == config)
        {
            throw new IllegalArgumentException("file and config are required");
        }
        AgronaAccess.ensureAvailable();
        config.validate();
        return new Registry(ControlSegmentFile.openExisting(file, config, false), config, false);
    }

    /**
     * Maps an existing control segment read-only, for tools that only look (the CLI): opening needs only read
     * permission, registers nothing and writes nothing, and every method that would write (registering, group
     * operations, reaping, the lock, the error log, {@link #deviceCounters}) throws {@link IllegalStateException}.
     * Snapshots never take the lock: when a mutation stays unfinished (its process died holding the lock), they
     * return a best-effort read instead of recovering it.
     *
     * @param file   the control segment file.
     * @param config settings; validated here ({@link RegistryConfig#openTimeoutNs()} bounds the wait for a file
     *               that is not ready yet).
     * @return the registry.
     * @throws io.shmdma.DmaException naming the file: ENOENT when absent, EINVAL when it is not a control segment
     *                                of this layout or is truncated, ETIMEDOUT when it never becomes ready, EIO
     *                                otherwise (for example no read permission).
     */
    public static Registry openReadOnly(final Path file, final RegistryConfig config)
    {
        AgronaAccess.ensureAvailable();
        config.validate();
        return new Registry(ControlSegmentFile.openExisting(file, config, true), config, true);
    }

    /**
     * Whether this instance was opened with {@link #openReadOnly} and never writes.
     *
     * @return true when read-only.
     */
    public boolean readOnly()
    {
        return readOnly;
    }

    /**
     * The mapped file.
     *
     * @return its absolute path.
     */
    public Path path()
    {
        return file.path();
    }

    /**
     * Whether this instance created the file (rather than mapping one that existed).
     *
     * @return true when created here.
     */
    public boolean created()
    {
        return file.created();
    }

    /**
     * This instance's incarnation id, the identity written into its domains and the lock.
     *
     * @return the non-zero id.
     */
    public long incarnation()
    {
        return incarnation;
    }

    /**
     * The settings.
     *
     * @return the config.
     */
    public RegistryConfig config()
    {
        return config;
    }

    /**
     * The whole mapped segment, for tools and tests; mutate only through this class (and never when
     * {@link #readOnly()}: the mapping is read-only and a write crashes the JVM).
     *
     * @return the buffer.
     */
    public AtomicBuffer buffer()
    {
        checkOpen();
        return file.buffer();
    }

    // ================================================================ domains

    /**
     * Registers a domain of this process.
     *
     * @param domainId        the domain's UUID.
     * @param segmentFileName the file name of its domain segment, at most 128 UTF-8 bytes.
     * @param segmentSize     the size of its domain segment.
     * @return the domain slot (0 or more), or -EINVAL for a bad argument, -EEXIST when a live process has
     *         registered that UUID, -ENOSPC when the domain table is full, -ETIMEDOUT when the lock could not be
     *         had. A dead process's registration of the same UUID is torn down and replaced.
     */
    public int registerDomain(final UUID domainId, final String segmentFileName, final long segmentSize)
    {
        if (null == domainId || null == segmentFileName || segmentSize < 0)
        {
            return -Errno.EINVAL;
        }
        final byte[] name = segmentFileName.getBytes(StandardCharsets.UTF_8);
        if (name.length > MAX_SEGMENT_NAME_LENGTH)
        {
            return -Errno.EINVAL;
        }
        return lock.locked(
            RegistryOperation.REGISTER_DOMAIN, writer -> domainMutations.register(writer, domainId, name, segmentSize));
    }

    /**
     * Unregisters a domain of this process that is closing: it leaves every group it joined, the groups it
     * created are destroyed (their joiners see GROUP_DESTROYED), its device counters are freed and its slot
     * is freed. Back-pressure as for {@link #leaveGroup}: it first waits, heartbeating this process's domains,
     * until its departures fit in their groups' rings and the live joiners of the groups it created have taken
     * every departure; after {@link #backPressureTimeoutNs()} it goes ahead anyway (a close does not fail) and
     * records in the error log which members were behind.
     *
     * @param domainSlot the slot returned by {@link #registerDomain}.
     * @return 0, or -EINVAL for a slot out of range, -ENOENT when the slot is not an active domain of this
     *         process (for example it was reaped), -ETIMEDOUT when the lock could not be had.
     */
    public int unregisterDomain(final int domainSlot)
    {
        if (domainSlot < 0 || domainSlot >= DOMAIN_CAPACITY)
        {
            return -Errno.EINVAL;
        }
        final long deadlineNs = System.nanoTime() + backPressureTimeoutNs();
        int idleCount = 0;
        while (true)
        {
            final boolean force = System.nanoTime() - deadlineNs > 0;
            final int rc = lock.locked(
                RegistryOperation.UNREGISTER_DOMAIN, writer -> domainMutations.unregister(writer, domainSlot, force));
            if (rc != GroupMutations.WAIT_FOR_ACKNOWLEDGEMENTS)
            {
                return rc;
            }
            lock.heartbeatOwnDomains(System.nanoTime());
            backPressureIdle(idleCount++);
        }
    }

    /**
     * Heartbeats a domain of this process: a release store of {@link System#nanoTime()}. Lock-free.
     *
     * @param domainSlot the slot returned by {@link #registerDomain}.
     * @return true, or false when the slot is no longer this process's active domain (it was declared dead and
     *         reaped, or unregistered) or this registry is read-only, in which case nothing is written.
     */
    public boolean heartbeat(final int domainSlot)
    {
        if (closed)
        {
            return false;
        }
        if (readOnly || !DomainTable.isOwnedActive(reader, domainSlot, incarnation))
        {
            return false;
        }
        ownerStores.heartbeat(domainSlot, System.nanoTime());
        return true;
    }

    /**
     * Tears down every active domain of another process whose heartbeat is older than the liveness timeout, and
     * every DEAD domain (its process died while unregistering it): its memberships are removed, the groups it
     * created destroyed, its handlers revoked, its device counters freed and its slot freed. Active domains of
     * this instance are never reaped. Cheap when nothing is dead: the lock
     * is only taken when a lock-free scan finds a candidate.
     * <p>
     * A reap never waits under the lock: a dead domain whose departure does not fit in a group's ring yet (a live
     * member is a ring behind), or whose groups still have departures a live joiner has not taken, is left for a
     * later call, until its heartbeat is {@link #backPressureTimeoutNs()} older than the liveness timeout; then it
     * is reaped anyway and the error log says which member was behind.
     *
     * @param nowNs {@link System#nanoTime()}.
     * @return what was reaped, so the caller can delete its files and log; empty when nothing was.
     */
    public List<ReapedDomain> reapDeadDomains(final long nowNs)
    {
        checkOpen();
        if (!domainMutations.hasReapable(nowNs))
        {
            return List.of();
        }
        return lock.locked(RegistryOperation.REAP, writer -> domainMutations.reap(writer, nowNs), rc -> List.of());
    }

    /**
     * The slot of an active domain.
     *
     * @param domainId the domain's UUID.
     * @return the slot, or -ENOENT when no active domain has that UUID.
     */
    public int findDomain(final UUID domainId)
    {
        checkOpen();
        final int slot = null == domainId ? -1 : DomainTable.findActive(reader, domainId, 0);
        return slot >= 0 ? slot : -Errno.ENOENT;
    }

    /**
     * A copy of one domain slot.
     *
     * @param slot the domain slot.
     * @return the domain, or empty when the slot is free or out of range.
     */
    public Optional<DomainView> domain(final int slot)
    {
        checkOpen();
        return views.domain(slot);
    }

    /**
     * A copy of every domain that is not free.
     *
     * @return the domains, by slot.
     */
    public List<DomainView> domains()
    {
        checkOpen();
        return views.domains();
    }

    /**
     * The generation of an active domain slot, for the data path. Lock-free, allocation-free.
     *
     * @param slot the domain slot.
     * @return the generation (1 or more), or 0 when the slot is not active or out of range.
     */
    public long domainGeneration(final int slot)
    {
        if (closed)
        {
            return 0;
        }
        if (slot < 0 || slot >= DOMAIN_CAPACITY)
        {
            return 0;
        }
        final long generation = DomainTable.generation(reader, slot);
        if (!DomainTable.isCurrent(reader, slot, generation))
        {
            return 0;
        }
        return generation;
    }

    // ================================================================ groups

    /**
     * Creates an access pair group ({@code rte_dma_access_pair_group_create}); the creator becomes member 0 and
     * gets a handler.
     *
     * @param creatorDomainSlot an active domain of this process.
     * @param token             the group's secret; only its salted hash is stored.
     * @return the group id, 0..32767, or -EINVAL for a bad argument, -ENOSPC when the group table is full,
     *         -ETIMEDOUT when the lock could not be had.
     */
    public int createGroup(final int creatorDomainSlot, final UUID token)
    {
        return createGroup(creatorDomainSlot, token, null);
    }

    /**
     * Creates an access pair group, as {@link #createGroup(int, UUID)}, and hands a copy of the new group, read
     * under the lock, to {@code created}: its generation, and the creator's membership token and
     * acknowledged-departure cursor, which a listener starts from.
     *
     * @param creatorDomainSlot an active domain of this process.
     * @param token             the group's secret; only its salted hash is stored.
     * @param created           receives the group on success (under the lock: it must not call the registry);
     *                          may be null.
     * @return as {@link #createGroup(int, UUID)}.
     */
    public int createGroup(final int creatorDomainSlot, final UUID token, final Consumer<GroupView> created)
    {
        return createGroup(creatorDomainSlot, token, "", created);
    }

    /**
     * Creates a named access pair group, as {@link #createGroup(int, UUID, Consumer)}: a joiner finds its id with
     * {@link #findGroup(String)}; the token stays the only secret.
     *
     * @param creatorDomainSlot an active domain of this process.
     * @param token             the group's secret; only its salted hash is stored.
     * @param name              the group's name, unique among live groups, at most
     *                          {@link ControlSegmentDescriptor#MAX_NAME_LENGTH} UTF-8 bytes; empty for none.
     * @param created           receives the group on success (under the lock); may be null.
     * @return as {@link #createGroup(int, UUID)}, or -EINVAL for a name too long, -EEXIST when a live group has
     *         that name.
     */
    public int createGroup(
        final int creatorDomainSlot, final UUID token, final String name, final Consumer<GroupView> created)
    {
        final byte[] nameBytes = null == name || name.isEmpty() ? new byte[0] : NamedRegions.nameBytes(name);
        if (null == token || null == nameBytes)
        {
            return -Errno.EINVAL;
        }
        return lock.locked(RegistryOperation.CREATE_GROUP, writer ->
        {
            final int groupId = groupMutations.create(writer, creatorDomainSlot, token, nameBytes);
            if (groupId >= 0 && null != created)
            {
                created.accept(views.readGroup(groupSlot(groupId), System.nanoTime()));
            }
            return groupId;
        });
    }

    /**
     * Joins an access pair group ({@code rte_dma_access_pair_group_join}, with the joiner's own domain as in
     * upstream); the joiner gets a handler.
     *
     * @param domainSlot an active domain of this process.
     * @param token      the group's secret.
     * @param groupId    the group id.
     * @return 0, or -EINVAL for a group id out of range or a bad argument, -ENOENT when the group does not
     *         exist, -EACCES for a wrong token or while the group is locked out after repeated wrong tokens,
     *         -EEXIST when the domain is already a member, -ENOSPC when the group is full, -ETIMEDOUT when the
     *         lock could not be had.
     */
    public int joinGroup(final int domainSlot, final UUID token, final int groupId)
    {
        return joinGroup(domainSlot, token, groupId, null);
    }

    /**
     * Joins an access pair group, as {@link #joinGroup(int, UUID, int)}, and hands a copy of the group right after
     * the join, read under the lock, to {@code joined}: the joiner's membership token and acknowledged-departure
     * cursor (the departure count at the join), from which its listener hears every later departure.
     *
     * @param domainSlot an active domain of this process.
     * @param token      the group's secret.
     * @param groupId    the group id.
     * @param joined     receives the group on success (under the lock: it must not call the registry); may be null.
     * @return as {@link #joinGroup(int, UUID, int)}.
     */
    public int joinGroup(final int domainSlot, final UUID token, final int groupId, final Consumer<GroupView> joined)
    {
        if (null == token)
        {
            return -Errno.EINVAL;
        }
        return lockedOnGroup(RegistryOperation.JOIN_GROUP, domainSlot, groupId, (writer, groupSlot) ->
        {
            final int rc = groupMutations.join(writer, domainSlot, token, groupSlot);
            if (0 == rc && null != joined)
            {
                joined.accept(views.readGroup(groupSlot, System.nanoTime()));
            }
            return rc;
        });
    }

    /**
     * Leaves an access pair group ({@code rte_dma_access_pair_group_leave}); the member's handler is revoked and
     * its departure appended to the group's departure ring, which every other member's listener takes exactly once.
     * <p>
     * Back-pressure: the departure is appended only when the leaver has acknowledged every departure before it
     * (so its own listener heard of every member that left while it was one), and every other live member has
     * acknowledged all but fewer than {@link ControlSegmentDescriptor#DEPARTURE_RING_CAPACITY} of them (so none
     * misses one). Otherwise the lock is released and the leave retries, calling the
     * {@link #onBackPressure(Runnable) back-pressure nudge} between attempts, for at most
     * {@link #backPressureTimeoutNs()} (twice the liveness timeout: a member that stopped acknowledging because it
     * died is dead, and no longer waited for, within one); a dead member never holds anyone back.
     *
     * @param domainSlot an active domain of this process.
     * @param groupId    the group id.
     * @return 0, or -EINVAL for a bad argument, -ENOENT when the group does not exist or the domain is not a
     *         member, -EPERM for the creator, -EAGAIN when a live member (this one included) stayed behind with its
     *         acknowledgements for the whole wait (its listener is blocked and its event queue full; retry
     *         later), -ETIMEDOUT when the lock could not be had.
     */
    public int leaveGroup(final int domainSlot, final int groupId)
    {
        return withBackPressure(() -> lockedOnGroup(RegistryOperation.LEAVE_GROUP, domainSlot, groupId,
            (writer, groupSlot) -> groupMutations.leave(writer, domainSlot, groupSlot)));
    }

    /**
     * Destroys an access pair group ({@code rte_dma_access_pair_group_destroy}) once every joiner has left.
     *
     * @param domainSlot an active domain of this process.
     * @param groupId    the group id.
     * Back-pressure: waits, as a leave does, until the creator has acknowledged every departure of the group, so
     * its listener hears every member that left before the group is gone.
     *
     * @return 0, or -EINVAL for a bad argument, -ENOENT when the group does not exist, -EPERM when the domain is
     *         not the creator, -EBUSY while joiners remain, -EAGAIN when the creator stayed behind with its
     *         acknowledgements for {@link #backPressureTimeoutNs()}, -ETIMEDOUT when the lock could not be had.
     */
    public int destroyGroup(final int domainSlot, final int groupId)
    {
        return withBackPressure(() -> lockedOnGroup(RegistryOperation.DESTROY_GROUP, domainSlot, groupId,
            (writer, groupSlot) -> groupMutations.destroy(writer, domainSlot, groupSlot)));
    }

    /**
     * The handler of a member domain ({@code rte_dma_access_pair_group_handler_get}).
     *
     * @param requesterDomainSlot an active domain of this process, a member of the group.
     * @param groupId             the group id.
     * @param targetDomain        the UUID of the member whose handler is wanted (may be the requester).
     * @return the handler, 1..65535, or -EINVAL for a bad argument, -EPERM when the requester is not a member,
     *         -ENOENT when the group does not exist or the target is not a member, -ETIMEDOUT when the lock
     *         could not be had.
     */
    public int handlerGet(final int requesterDomainSlot, final int groupId, final UUID targetDomain)
    {
        if (null == targetDomain)
        {
            return -Errno.EINVAL;
        }
        return lockedOnGroup(RegistryOperation.HANDLER_GET, requesterDomainSlot, groupId,
            (writer, groupSlot) -> groupMutations.handlerOf(requesterDomainSlot, groupSlot, targetDomain));
    }

    /**
     * A copy of every active group, for event diffing and the CLI: a group that disappears or whose generation
     * changes was destroyed; a membership token that disappears is a member that left.
     *
     * @return the groups, by group slot.
     */
    public List<GroupView> groups()
    {
        checkOpen();
        return views.groups();
    }

    /**
     * A copy of one active group.
     *
     * @param groupId the group id.
     * @return the group, or empty when it does not exist.
     */
    public Optional<GroupView> group(final int groupId)
    {
        checkOpen();
        return views.group(groupId);
    }

    /**
     * The id of the live group with a name.
     *
     * @param name a group name.
     * @return the group id, or -EINVAL for an empty or too long name, -ENOENT when no active group has it.
     */
    public int findGroup(final String name)
    {
        checkOpen();
        if (null == NamedRegions.nameBytes(name))
        {
            return -Errno.EINVAL;
        }
        final Integer groupId = views.read(() ->
        {
            final int groupSlot = GroupTable.findByName(reader, name);
            return groupSlot >= 0 && GroupTable.state(reader, groupSlot) == GroupTable.ACTIVE ?
                GroupTable.groupId(reader, groupSlot) : -Errno.ENOENT;
        });
        return groupId;
    }

    // ================================================================ named regions

    /**
     * Publishes a region of a domain of this process under a name, so that members of a group it shares find
     * it with {@link #lookupRegion}. The entry disappears when unpublished, or when the domain is unregistered or
     * reaped.
     *
     * @param domainSlot an active domain of this process.
     * @param name       1..{@link ControlSegmentDescriptor#MAX_NAME_LENGTH} UTF-8 bytes, unique for the domain.
     * @param iova       IOVA of the region's first byte.
     * @param length     bytes, positive.
     * @return the region slot, or -EINVAL for a bad argument (name empty or too long, length not positive, not an
     *         active domain of this process), -EEXIST when the domain already published that name, -ENOSPC when
     *         the region table is full, -ETIMEDOUT when the lock could not be had.
     */
    public int publishRegion(final int domainSlot, final String name, final long iova, final long length)
    {
        final byte[] nameBytes = NamedRegions.nameBytes(name);
        if (null == nameBytes || length <= 0)
        {
            return -Errno.EINVAL;
        }
        return lock.locked(
            RegistryOperation.REGION, writer -> namedRegions.publish(writer, domainSlot, nameBytes, iova, length));
    }

    /**
     * Removes a named region a domain of this process published.
     *
     * @param domainSlot an active domain of this process.
     * @param name       the name.
     * @return 0, or -EINVAL for a bad argument, -ENOENT when the domain has no region of that name, -ETIMEDOUT
     *         when the lock could not be had.
     */
    public int unpublishRegion(final int domainSlot, final String name)
    {
        if (null == NamedRegions.nameBytes(name))
        {
            return -Errno.EINVAL;
        }
        return lock.locked(RegistryOperation.REGION, writer -> namedRegions.unpublish(writer, domainSlot, name));
    }

    /**
     * Looks up a peer's named region, without the lock (one seqlock snapshot).
     *
     * @param requesterDomainSlot an active domain of this process.
     * @param peerDomainId        the peer's UUID; the requester's own is allowed.
     * @param name                the name.
     * @param found               receives the region on success; may be null.
     * @return 0, or -EINVAL for a bad argument, -ENOENT when no active domain has that UUID or it published no
     *         region of that name, -EPERM when the requester shares no active access pair group with the peer.
     */
    public int lookupRegion(
        final int requesterDomainSlot, final UUID peerDomainId, final String name, final Consumer<RegionView> found)
    {
        checkOpen();
        if (null == peerDomainId || null == NamedRegions.nameBytes(name))
        {
            return -Errno.EINVAL;
        }
        final List<RegionView> regions = new ArrayList<>();
        final int rc = namedRegions.lookup(requesterDomainSlot, peerDomainId, name, regions);
        if (0 == rc && null != found)
        {
            found.accept(regions.get(0));
        }
        return rc;
    }

    /**
     * Lists a peer's named regions, without the lock (one seqlock snapshot).
     *
     * @param requesterDomainSlot an active domain of this process.
     * @param peerDomainId        the peer's UUID; the requester's own is allowed.
     * @param into                receives the regions, by region slot.
     * @return 0, or -EINVAL for a bad argument, -ENOENT when no active domain has that UUID, -EPERM when the
     *         requester shares no active access pair group with the peer.
     */
    public int listRegions(final int requesterDomainSlot, final UUID peerDomainId, final List<RegionView> into)
    {
        checkOpen();
        if (null == peerDomainId || null == into)
        {
            return -Errno.EINVAL;
        }
        return namedRegions.lookup(requesterDomainSlot, peerDomainId, null, into);
    }

    /**
     * A copy of every published named region, for the CLI (no membership check: the CLI reads the whole file).
     *
     * @return the regions, by region slot.
     */
    public List<RegionView> regions()
    {
        checkOpen();
        return views.regions();
    }

    /**
     * The change count: bumped (by two) by every visible mutation, odd while one runs. A conductor can skip its
     * snapshot diff while it is unchanged.
     *
     * @return the count, acquire load.
     */
    public long changeCount()
    {
        checkOpen();
        return reader.getLongAcquire(CHANGE_COUNT_OFFSET);
    }

    /**
     * Acknowledges departures of a group for a member of this process: the member's conductor has taken every
     * departure up to {@code number} (queued its MEMBER_LEFT events), so the ring may reuse their entries. A
     * release store into the member's own cursor, outside the lock, like a heartbeat; the member is found by its
     * membership token, so nothing is written once the membership is gone. Lock-free, never throws.
     *
     * @param domainSlot      the member's domain, an active domain of this process.
     * @param groupId         the group id.
     * @param membershipToken the membership's token.
     * @param number          the last departure taken; clamped to the group's departure count.
     * @return true when written, false when the membership, group or domain is gone or an argument is out of range.
     */
    public boolean acknowledgeDepartures(
        final int domainSlot, final int groupId, final long membershipToken, final long number)
    {
        if (closed || readOnly || 0 == membershipToken || groupId < 0 || groupId > MAX_GROUP_ID ||
            !DomainTable.isOwnedActive(reader, domainSlot, incarnation))
        {
            return false;
        }
        final int groupSlot = groupSlot(groupId);
        if (!GroupTable.isActive(reader, groupSlot, groupId))
        {
            return false;
        }
        for (int memberSlot = 0; memberSlot < MEMBERS_PER_GROUP; memberSlot++)
        {
            if (MemberTable.token(reader, groupSlot, memberSlot) == membershipToken &&
                MemberTable.domainSlot(reader, groupSlot, memberSlot) == domainSlot)
            {
                final long count = GroupTable.departureCount(reader, groupSlot);
                ownerStores.acknowledge(groupSlot, memberSlot, Math.max(0, Math.min(number, count)));
                return true;
            }
        }
        return false;
    }

    /**
     * Sets what a leave, destroy or close of this process runs while it waits for members to acknowledge
     * departures, typically a wake-up of this process's own conductor, so that its own acknowledgement comes at once
     * instead of at the next conductor interval. Runs on the waiting thread without the lock; must not block or take
     * the registry lock (a lock-free call such as {@link #acknowledgeDepartures} is fine).
     *
     * @param nudge the action, or null for none.
     */
    public void onBackPressure(final Runnable nudge)
    {
        backPressureNudge = nudge;
    }

    /**
     * Longest wait of a leave, destroy or close for members to acknowledge departures: twice the liveness timeout,
     * so that a member that stopped acknowledging because its process died is declared dead, and no longer waited
     * for, within the wait.
     *
     * @return nanoseconds.
     */
    public long backPressureTimeoutNs()
    {
        return DomainMutations.backPressureTimeoutNs(config);
    }

    // ================================================================ data path

    /**
     * The token of the membership a handler names, for the data path: unique to that membership and never
     * reused, so a value pinned at vchan setup that still compares equal means the handler still names the same
     * member of the same live group. Lock-free, allocation-free, never throws.
     *
     * @param handler a handler.
     * @return the membership token, or 0 when the handler is out of range, free or revoked.
     */
    public long membershipToken(final int handler)
    {
        if (closed)
        {
            return 0;
        }
        final int entry = HandlerTable.liveEntry(reader, handler);
        if (0 == entry)
        {
            return 0;
        }
        final long token = MemberTable.token(reader, handlerEntryGroupSlot(entry), handlerEntryMemberSlot(entry));
        return HandlerTable.isStillMember(reader, handler, entry) ? token : 0;
    }

    /**
     * The domain slot of the member a handler names, for the data path. Lock-free, allocation-free.
     *
     * @param handler a handler.
     * @return the domain slot, or -1 when the handler is out of range, free or revoked.
     */
    public int handlerDomainSlot(final int handler)
    {
        if (closed)
        {
            return -1;
        }
        final int entry = HandlerTable.liveEntry(reader, handler);
        if (0 == entry)
        {
            return -1;
        }
        final int slot = MemberTable.domainSlot(reader, handlerEntryGroupSlot(entry), handlerEntryMemberSlot(entry));
        return HandlerTable.isStillMember(reader, handler, entry) ? slot : -1;
    }

    /**
     * The domain generation of the member a handler names (compare with {@link #domainGeneration(int)} of
     * {@link #handlerDomainSlot(int)}). Lock-free, allocation-free.
     *
     * @param handler a handler.
     * @return the generation, or 0 when the handler is out of range, free or revoked.
     */
    public long handlerDomainGeneration(final int handler)
    {
        if (closed)
        {
            return 0;
        }
        final int entry = HandlerTable.liveEntry(reader, handler);
        if (0 == entry)
        {
            return 0;
        }
        final long generation =
            MemberTable.domainGeneration(reader, handlerEntryGroupSlot(entry), handlerEntryMemberSlot(entry));
        return HandlerTable.isStillMember(reader, handler, entry) ? generation : 0;
    }

    // ================================================================ device counters

    /**
     * Allocates the counters of a device of this process ({@code /dmadev/stats} for the CLI); they start at 0
     * and are freed with the domain.
     *
     * @param domainSlot an active domain of this process.
     * @param devId      the device id.
     * @param name       the device name, at most 32 UTF-8 bytes (longer names are cut).
     * @return the counter id, or -EINVAL for a bad argument, -ENOSPC when every slot is taken, -ETIMEDOUT
     *         when the lock could not be had.
     */
    public int allocateDeviceCounters(final int domainSlot, final int devId, final String name)
    {
        if (null == name)
        {
            return -Errno.EINVAL;
        }
        final byte[] nameBytes = truncatedUtf8(name, MAX_DEVICE_NAME_LENGTH);
        return lock.locked(RegistryOperation.DEVICE_COUNTERS,
            writer -> domainMutations.allocateDeviceCounters(writer, domainSlot, devId, nameBytes));
    }

    /**
     * Frees device counters.
     *
     * @param counterId a counter id from {@link #allocateDeviceCounters}.
     * @return 0, or -EINVAL when out of range, -ENOENT when not allocated to an active domain of this process (a
     *         process reaped while paused must not free counters handed out again since), -ETIMEDOUT when the lock
     *         could not be had.
     */
    public int freeDeviceCounters(final int counterId)
    {
        if (counterId < 0 || counterId >= DEVICE_COUNTERS_CAPACITY)
        {
            return -Errno.EINVAL;
        }
        return lock.locked(
            RegistryOperation.DEVICE_COUNTERS, writer -> domainMutations.freeDeviceCounters(writer, counterId));
    }

    /**
     * A flyweight over one device's counters, for the driver's data path. Create it once per device.
     *
     * @param counterId a counter id from {@link #allocateDeviceCounters}.
     * @return the counters.
     * @throws IllegalArgumentException when the id is out of range.
     * @throws IllegalStateException when opened read-only.
     */
    public DeviceCounters deviceCounters(final int counterId)
    {
        checkOpen();
        lock.checkWritable();
        return ownerStores.deviceCounters(counterId);
    }

    /**
     * A copy of every allocated device counters slot.
     *
     * @return the counters, by counter id.
     */
    public List<DeviceCountersView> deviceCountersViews()
    {
        checkOpen();
        return views.deviceCounters();
    }

    /**
     * A copy of the information a device's owner published in its counters slot ({@code /dmadev/info}).
     *
     * @param counterId a counter id, as in {@link DeviceCountersView#counterId()}.
     * @return the information, or empty when the slot is out of range or not allocated.
     */
    public Optional<DeviceInfoView> deviceInfo(final int counterId)
    {
        return views.deviceInfo(counterId);
    }

    // ================================================================ error log

    /**
     * This process's distinct error log in the control segment, claimed on first use (each writing process has
     * its own chunk, since a {@link DistinctErrorLog} keeps its write position in the process). When every chunk
     * is owned by a live process, a private log that tools cannot see is returned instead.
     *
     * @return the error log.
     * @throws IllegalStateException when opened read-only.
     */
    public DistinctErrorLog errorLog()
    {
        checkOpen();
        lock.checkWritable();
        return errorLog.get();
    }

    /**
     * Every distinct error recorded in the control segment by any process, dead ones included.
     *
     * @return the errors, by chunk then by first observation.
     */
    public List<ErrorLogEntry> errorLogEntries()
    {
        checkOpen();
        return errorLog.entries();
    }

    // ================================================================ consistency

    /**
     * Checks the invariants of the tables under the lock, without changing anything: no group is left CREATING
     * or DESTROYING, every group's creator is its live member 0, every member's domain
     * is active with the generation it joined with and its handler entry points back at it, and every handler
     * entry names such a member.
     *
     * @return a description of each violation; empty when consistent.
     */
    public List<String> checkConsistency()
    {
        checkOpen();
        return lock.locked(RegistryOperation.CHECK, writer ->
        {
            final List<String> problems = new ArrayList<>();
            repair.checkTables(null, problems);
            if ((reader.getLongVolatile(CHANGE_COUNT_OFFSET) & 1) != 0)
            {
                problems.add("change count is odd: a mutation did not finish");
            }
            return problems;
        }, rc -> new ArrayList<>(List.of("could not take the registry lock: " + Errno.name(rc))));
    }

    /**
     * Releases this process's error log chunk (its content stays readable) and unmaps the file. Domains are not
     * unregistered: call {@link #unregisterDomain(int)} first, or they are reaped once their heartbeat stops.
     */
    public void close()
    {
        lock.close(() ->
        {
            errorLog.release();
            closed = true;
            file.close();
        });
    }

    /**
     * Whether the control segment file still covers the whole layout (one fstat). Once it does not, because a
     * process with write access truncated it, every locked operation answers -EIO instead of touching the
     * missing pages, and the caller should stop using this registry.
     *
     * @return false when the file was truncated.
     */
    public boolean isIntact()
    {
        return lock.isIntact();
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("registry is closed: " + path());
        }
    }

    /** {@inheritDoc} */
    public String toString()
    {
        return "Registry{path=" + path() + ", incarnation=" + Long.toHexString(incarnation) + ", pid=" + pid +
            (readOnly ? ", read-only" : "") + '}';
    }

    // ================================================================ locked operations and back-pressure

    /**
     * Runs a group operation under the lock, after the checks every one of them makes: a group id in range
     * (-EINVAL), a caller that is an active domain of this process (-EINVAL) and a group that exists (-ENOENT).
     */
    private int lockedOnGroup(
        final RegistryOperation operation, final int domainSlot, final int groupId, final GroupOperation body)
    {
        if (groupId < 0 || groupId > MAX_GROUP_ID)
        {
            return -Errno.EINVAL;
        }
        return lock.locked(operation, writer ->
        {
            if (!DomainTable.isOwnedActive(reader, domainSlot, incarnation))
            {
                return -Errno.EINVAL;
            }
            final int groupSlot = groupSlot(groupId);
            if (!GroupTable.isActive(reader, groupSlot, groupId))
            {
                return -Errno.ENOENT;
            }
            return body.apply(writer, groupSlot);
        });
    }

    /** A group operation, run under the lock once the checks of {@link #lockedOnGroup} passed. */
    @FunctionalInterface
    private interface GroupOperation
    {
        int apply(FencedWriter writer, int groupSlot);
    }

    /**
     * Runs attempts of a mutation until one does not ask to wait for acknowledgements, nudging and idling between
     * attempts (never holding the lock while waiting), for at most {@link #backPressureTimeoutNs()}; then -EAGAIN.
     */
    private int withBackPressure(final IntSupplier attempt)
    {
        final long deadlineNs = System.nanoTime() + backPressureTimeoutNs();
        int idleCount = 0;
        while (true)
        {
            final int rc = attempt.getAsInt();
            if (rc != GroupMutations.WAIT_FOR_ACKNOWLEDGEMENTS)
            {
                return rc;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                return -Errno.EAGAIN;
            }
            backPressureIdle(idleCount++);
        }
    }

    private void backPressureIdle(final int idleCount)
    {
        final Runnable nudge = backPressureNudge;
        if (null != nudge)
        {
            nudge.run();
        }
        if (idleCount < 10)
        {
            Thread.yield();
        }
        else
        {
            LockSupport.parkNanos(idleCount < 100 ? 20_000 : 500_000);
        }
    }

    /**
     * Test-only: checks the tables without the lock and without repairing.
     *
     * @param problems receives a description of each violation.
     */
    void checkTables(final List<String> problems)
    {
        repair.checkTables(null, problems);
    }

    private void afterTakeover(
        final FencedWriter writer, final long deadHolder, final long deadPid, final int deadOperation)
    {
        repair.afterTakeover(writer, deadHolder, deadPid, deadOperation);
    }

    private void recordError(final Throwable error)
    {
        errorLog.record(error);
    }

    private void recordErrorUnlocked(final Throwable error)
    {
        errorLog.recordUnlocked(error);
    }

    private static byte[] truncatedUtf8(final String text, final int maxLength)
    {
        String candidate = text;
        byte[] bytes = candidate.getBytes(StandardCharsets.UTF_8);
        while (bytes.length > maxLength)
        {
            candidate = candidate.substring(0, candidate.length() - 1);
            bytes = candidate.getBytes(StandardCharsets.UTF_8);
        }
        return bytes;
    }
}
