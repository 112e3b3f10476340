package io.shmdma.shm;

import io.shmdma.DmaCapability;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.DmaInfo;
import io.shmdma.DmaStats;
import io.shmdma.Errno;
import io.shmdma.GroupEventListener;
import io.shmdma.InterDomainType;
import io.shmdma.VchanConf;
import io.shmdma.engine.EngineThreading;
import io.shmdma.engine.SoftwareDmaDriver;
import io.shmdma.memory.DomainEndpoint;
import io.shmdma.memory.DomainMemory;
import io.shmdma.shm.driver.DriverClient;
import io.shmdma.shm.file.ShmFiles;
import io.shmdma.shm.registry.ControlSegmentDescriptor;
import io.shmdma.shm.registry.DeviceCounters;
import io.shmdma.shm.registry.GroupView;
import io.shmdma.shm.registry.MemberView;
import io.shmdma.shm.registry.Registry;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.PrintStream;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

/**
 * The inter-process device: a {@link SoftwareDmaDriver} whose rings live in mapped files and whose vchans
 * may name domains of other processes by access pair group handlers. The group operations go to the
 * {@link Registry} in the control segment. Created by {@link ShmDomain#createDevice}.
 * <p>
 * The conductor thread publishes this device's information and stats into the control segment without ever
 * taking a lock that application code can hold (neither the {@link DmaDevice}'s monitor nor this driver's): it
 * publishes an immutable snapshot of the information that configure, start and stop replace, and reads the rings
 * only under a private lock that it never waits for ({@code tryLock}; busy means "publish next cycle").
 */
public final class ShmDmaDriver extends SoftwareDmaDriver
{
    private final ShmDomain domain;
    private final String name;
    private final Map<Integer, GroupMembership> memberships = new ConcurrentHashMap<>();
    /** Driver mode: the names of the rings a start is handing to the driver, removed once it took them or failed. */
    private final Path[] ringFiles = new Path[MAX_VCHANS];
    /** Driver mode: hands the rings to the driver process at start; null in embedded mode. */
    private final DriverClient driverClient;
    private final DriverClient.VchanRequest[] vchanRequests = new DriverClient.VchanRequest[MAX_VCHANS];
    private final DmaStats publishedStats = new DmaStats();
    /** Guards the rings and the counters slot against the conductor's publication; private, never held by users. */
    private final ReentrantLock ringsLock = new ReentrantLock();
    private int devId = -1;
    private volatile DeviceCounters counters;
    private volatile InfoSnapshot infoSnapshot;
    private int configuredVchans;
    private boolean started;

    ShmDmaDriver(final ShmDomain domain, final String name, final EngineThreading threading)
    {
        super(domain.memory(), threading);
        this.domain = domain;
        this.name = name;
        name(name);
        driverClient = domain.context().engineMode() != ShmContext.EngineMode.DRIVER ? null : new DriverClient(
            domain.dir(), domain.domainId(), domain.domainSlot(),
            () -> domain.registry().domainGeneration(domain.domainSlot()), name, domain.context().livenessTimeoutNs(),
            domain.context().driverTimeoutNs(), vchan -> vchanRequests[vchan], this::onError);
    }

    /** Driver mode: the driver process runs this device's engine; embedded mode: null, an engine agent here. */
    @Override
    protected RemoteEngine remoteEngine()
    {
        return driverClient;
    }

    @Override
    public void registered(final int devId)
    {
        this.devId = devId;
        final int counterId = domain.registry().allocateDeviceCounters(domain.domainSlot(), devId, name);
        refreshInfo();
        counters = counterId >= 0 ? domain.registry().deviceCounters(counterId) : null;
    }

    /**
     * Copies this device's information ({@code rte_dma_info_get}, started or not) and its stats over every vchan
     * into its counters in the control segment, for operators. Called on the conductor thread; never waits: when an
     * application thread is reconfiguring or closing this device, it publishes at the next cycle instead.
     */
    void publishCounters()
    {
        if (driverClient != null && driverClient.checkLiveness(System.nanoTime()))
        {
            reportHaltedRings(); // the driver is gone: the halts reach the error log without waiting for a control call
        }
        if (!ringsLock.tryLock())
        {
            return;
        }
        try
        {
            final DeviceCounters current = counters;
            final InfoSnapshot info = infoSnapshot;
            if (null != current)
            {
                if (null != info)
                {
                    current.publishInfo(info.info, info.started);
                }
                publishedStats.clear();
                statsGet(DmaDevice.ALL_VCHAN, publishedStats);
                current.set(publishedStats.submitted, publishedStats.completed, publishedStats.errors);
            }
        }
        finally
        {
            ringsLock.unlock();
        }
    }

    /** Replaces the information snapshot the conductor publishes: after registration, configure, start and stop. */
    private void refreshInfo()
    {
        final DmaInfo info = new DmaInfo();
        infoGet(info);
        info.devName = name;
        info.numaNode = -1;
        info.nbVchans = configuredVchans;
        infoSnapshot = new InfoSnapshot(info, started);
    }

    @Override
    public int configure(final DmaConf newConf)
    {
        final int result = super.configure(newConf);
        if (result == 0)
        {
            configuredVchans = newConf.nbVchans;
            refreshInfo();
        }
        return result;
    }

    /**
     * Driver mode: makes every ring again in a new file whose name the driver maps it by, and removes each name once
     * the driver has mapped the ring ({@link DriverClient} at {@code TAKEN}, and here whatever the outcome). Holds the
     * private rings lock, as {@link #vchanSetup} does: the rings are replaced.
     */
    @Override
    public int start()
    {
        final int result;
        ringsLock.lock();
        try
        {
            result = super.start();
        }
        finally
        {
            for (int vchan = 0; vchan < MAX_VCHANS; vchan++)
            {
                releaseRing(vchan);
            }
            ringsLock.unlock();
        }
        if (result == 0)
        {
            started = true;
            refreshInfo();
        }
        return result;
    }

    @Override
    public int stop()
    {
        final int result = super.stop();
        if (result == 0)
        {
            started = false;
            refreshInfo();
        }
        return result;
    }

    /**
     * Engine agent errors and rings found forged or corrupt go to the shared error log ({@code shmdma errors}) and
     * to this device's engine errors counter ({@code shmdma stats}). Any thread; never throws.
     */
    @Override
    protected void onError(final Throwable error)
    {
        try
        {
            domain.recordError(error);
        }
        catch (final RuntimeException | InternalError ex)
        {
            super.onError(error); // the control segment is closed or damaged: stderr is what is left
        }
        final DeviceCounters current = counters;
        if (current != null)
        {
            try
            {
                current.incrementEngineErrors();
            }
            catch (final RuntimeException | InternalError ex)
            {
                // a damaged or unmapped control segment: the error log line above is the report
            }
        }
    }

    /**
     * The process-local device id.
     *
     * @return the id.
     */
    public int devId()
    {
        return devId;
    }

    @Override
    protected long extraCapabilities()
    {
        return DmaCapability.INTER_PROCESS_DOMAIN;
    }

    /**
     * A vchan's ring at setup, in a file whose name goes as soon as it is mapped: no other process can then open,
     * write or truncate it (a truncated mapping would raise SIGBUS in the application's own calls). In driver mode
     * each start makes the ring again in a new file ({@link #remoteRingBuffer}).
     */
    @Override
    protected AtomicBuffer ringBuffer(final int vchan, final int length)
    {
        final Path file = newRingPath(vchan);
        final MappedByteBuffer mapped;
        try
        {
            // created with O_EXCL and mapped through the channel that created it: a name swapped meanwhile is not used
            mapped = ShmFiles.createMapped(file, length, domain.context().groupShared());
        }
        finally
        {
            ShmFiles.deleteQuietly(file);
        }
        return new UnsafeBuffer(mapped);
    }

    /**
     * Driver mode, at each start: the ring in a new file that keeps its name until the driver has mapped it by that
     * name; {@link DriverClient} removes it once the driver took the vchan, {@link #start()} whatever happened. So a
     * ring's name lives only while a start waits for the driver, and a ring the driver serves has no name.
     */
    @Override
    protected AtomicBuffer remoteRingBuffer(final int vchan, final int length)
    {
        if (driverClient == null)
        {
            return null;
        }
        final Path file = newRingPath(vchan);
        final MappedByteBuffer mapped = ShmFiles.createMapped(file, length, domain.context().groupShared());
        ringFiles[vchan] = file;
        final DriverClient.VchanRequest setUp = vchanRequests[vchan];
        vchanRequests[vchan] = setUp == null ? null : new DriverClient.VchanRequest(setUp.interProcess(),
            setUp.srcHandler(), setUp.dstHandler(), file.getFileName().toString(), length);
        return new UnsafeBuffer(mapped);
    }

    /** The path for a vchan's new ring file, free: a name left by an earlier run of this device is removed first. */
    private Path newRingPath(final int vchan)
    {
        releaseRing(vchan);
        final Path file = domain.dir().resolve("ring-" + domain.domainId() + "-" + name + "-" + vchan + ".shm");
        ShmFiles.deleteQuietly(file); // unlinking never follows the name
        return file;
    }

    /**
     * A vchan's ring as mapped here (and, in driver mode, by the driver): for tests that play a process writing into
     * the ring, which the ring's missing name leaves to processes able to reach this one's memory (ptrace,
     * {@code /proc/<pid>/map_files}).
     *
     * @param name  the device's name.
     * @param vchan the vchan.
     * @return the ring's buffer, or null when this is not that device or the vchan has no ring.
     */
    AtomicBuffer mappedRing(final String name, final int vchan)
    {
        return this.name.equals(name) ? ringBufferOf(vchan) : null;
    }

    /**
     * Removes the name of a vchan's ring file if it still has one. The mapping is not unmapped here but by the garbage
     * collector once no ring object refers to it, so an application thread that still calls into a closed or
     * reconfigured vchan (against the one-thread-per-device rule) writes into memory that stays mapped instead of
     * crashing the JVM.
     */
    private void releaseRing(final int vchan)
    {
        if (ringFiles[vchan] != null)
        {
            ShmFiles.deleteQuietly(ringFiles[vchan]);
            ringFiles[vchan] = null;
        }
    }

    /**
     * Checks a handler at vchan setup, as DPDK's driver does: it must name a live member of a group this device is in.
     * Embedded mode pins the membership token and maps the member's segment here; driver mode only checks (the driver
     * process resolves it again at start and maps the segment there), so this process maps no peer's memory.
     */
    @Override
    protected DomainEndpoint interProcessEndpoint(final int handler)
    {
        final Registry registry = domain.registry();
        for (final GroupView group : registry.groups())
        {
            if (!memberships.containsKey(group.groupId()))
            {
                continue;
            }
            for (final MemberView member : group.members())
            {
                if (member.handler() == handler)
                {
                    final long pinned = registry.membershipToken(handler);
                    if (pinned == 0 || pinned != member.membershipToken())
                    {
                        return null;
                    }
                    if (driverClient != null)
                    {
                        return () -> null; // never asked: the driver process runs the jobs
                    }
                    final DomainSegment segment = domain.segmentOf(member.domainId());
                    if (segment == null || !segment.isIntact())
                    {
                        return null;
                    }
                    final DomainMemory memory = segment.memory();
                    return () -> !domain.isRegistryBroken() && registry.membershipToken(handler) == pinned &&
                        segment.isIntact() ? memory : null;
                }
            }
        }
        return null;
    }

    /** Holds the private rings lock: {@link #publishCounters()} reads the rings this replaces and unmaps. */
    @Override
    public int vchanSetup(final int vchan, final VchanConf vchanConf)
    {
        ringsLock.lock();
        try
        {
            final int result = super.vchanSetup(vchan, vchanConf);
            // the ring's file name and length are filled in at each start, when the ring is made again for the driver
            vchanRequests[vchan] = result != 0 || driverClient == null ? null : new DriverClient.VchanRequest(
                vchanConf.domain.type == InterDomainType.INTER_PROCESS, vchanConf.domain.srcHandler,
                vchanConf.domain.dstHandler, null, 0);
            return result;
        }
        finally
        {
            ringsLock.unlock();
        }
    }

    /**
     * Holds the private rings lock: {@link #publishCounters()} reads the rings this unmaps and writes the counters
     * slot this frees (which another device may take at once).
     */
    @Override
    public int close()
    {
        ringsLock.lock();
        try
        {
            return closeRingsAndCounters();
        }
        finally
        {
            ringsLock.unlock();
        }
    }

    private int closeRingsAndCounters()
    {
        super.close();
        for (int vchan = 0; vchan < MAX_VCHANS; vchan++)
        {
            releaseRing(vchan);
        }
        final DeviceCounters current = counters;
        counters = null;
        if (current != null)
        {
            try
            {
                domain.registry().freeDeviceCounters(current.counterId());
            }
            catch (final RuntimeException | InternalError ex)
            {
                // a damaged or closed control segment: the counters are freed with the domain, or never matter again
            }
        }
        domain.deviceClosed(this);
        return 0;
    }

    @Override
    public int dump(final PrintStream out)
    {
        super.dump(out);
        out.printf("  domain: %s%n", domain.domainId());
        for (final GroupMembership membership : memberships.values())
        {
            out.printf("  group %d: %s%n", membership.groupId(), membership.creator() ? "creator" : "joiner");
        }
        return 0;
    }

    @Override
    public int accessPairGroupCreate(final UUID domainId, final UUID token, final GroupEventListener listener)
    {
        return accessPairGroupCreate(domainId, token, "", listener);
    }

    /**
     * Creates an access pair group, as {@link #accessPairGroupCreate(UUID, UUID, GroupEventListener)}, under a name
     * (empty for none) unique among live groups; see {@link ShmDomain#accessPairGroupCreate}.
     *
     * @param domainId this process's domain.
     * @param token    the group's secret.
     * @param name     the name, empty for none.
     * @param listener receives MEMBER_LEFT events; may be null.
     * @return the group id, or a negative errno (-EEXIST for a name in use).
     */
    int accessPairGroupCreate(
        final UUID domainId, final UUID token, final String name, final GroupEventListener listener)
    {
        int result = domain.isDeclaredDead() ? -Errno.ESRCH : 0;
        if (result == 0)
        {
            final GroupView[] created = new GroupView[1];
            result = domainId.equals(domain.domainId()) ?
                domain.registry().createGroup(domain.domainSlot(), token, name, group -> created[0] = group) :
                -Errno.EINVAL;
            if (result >= 0)
            {
                memberships.put(result, GroupMembership.of(created[0], domain.domainId(), true, listener));
                domain.membershipsChanged();
            }
        }
        GroupOperationEvent.record(GroupOperationEvent.CREATE, devId, result >= 0 ? result : -1, domainId, result);
        return result;
    }

    @Override
    public int accessPairGroupJoin(
        final UUID domainId, final UUID token, final int groupId, final GroupEventListener listener)
    {
        int result = refusal(groupId);
        if (result == 0)
        {
            if (!domainId.equals(domain.domainId()))
            {
                result = -Errno.EINVAL;
            }
            else
            {
                final GroupView[] joined = new GroupView[1];
                result = memberships.containsKey(groupId) ? -Errno.EEXIST :
                    domain.registry().joinGroup(domain.domainSlot(), token, groupId, group -> joined[0] = group);
                if (result >= 0)
                {
                    memberships.put(groupId, GroupMembership.of(joined[0], domain.domainId(), false, listener));
                    domain.membershipsChanged();
                }
            }
        }
        GroupOperationEvent.record(GroupOperationEvent.JOIN, devId, groupId, domainId, result);
        return result;
    }

    @Override
    public int accessPairGroupLeave(final int groupId)
    {
        int result = refusal(groupId);
        if (result == 0)
        {
            final GroupMembership membership = memberships.get(groupId);
            result = membership == null ? -Errno.ENOENT : membership.creator() ? -Errno.EPERM :
                depart(membership, () -> domain.registry().leaveGroup(domain.domainSlot(), groupId));
        }
        GroupOperationEvent.record(GroupOperationEvent.LEAVE, devId, groupId, domain.domainId(), result);
        return result;
    }

    @Override
    public int accessPairGroupDestroy(final int groupId)
    {
        int result = refusal(groupId);
        if (result == 0)
        {
            final GroupMembership membership = memberships.get(groupId);
            if (membership == null)
            {
                result = groupExists(groupId) ? -Errno.EPERM : -Errno.ENOENT;
            }
            else
            {
                result = !membership.creator() ? -Errno.EPERM :
                    depart(membership, () -> domain.registry().destroyGroup(domain.domainSlot(), groupId));
            }
        }
        GroupOperationEvent.record(GroupOperationEvent.DESTROY, devId, groupId, domain.domainId(), result);
        return result;
    }

    @Override
    public int accessPairGroupHandlerGet(final int groupId, final UUID domainId)
    {
        int result = refusal(groupId);
        if (result == 0)
        {
            result = memberships.containsKey(groupId) ?
                domain.registry().handlerGet(domain.domainSlot(), groupId, domainId) : -Errno.EPERM;
        }
        GroupOperationEvent.record(GroupOperationEvent.HANDLER_GET, devId, groupId, domainId, result);
        return result;
    }

    /** The errno a group operation gets before the registry is asked: a group id out of range, or this domain dead. */
    private int refusal(final int groupId)
    {
        if (groupId < 0 || groupId > ControlSegmentDescriptor.MAX_GROUP_ID)
        {
            return -Errno.EINVAL;
        }
        return domain.isDeclaredDead() ? -Errno.ESRCH : 0;
    }

    /**
     * Leaves or destroys a group this device is in: marks the membership departing first, so the conductor
     * raises no event for this device's own act, and forgets it when the registry agreed. The registry lets the
     * departure through once this membership has taken every departure before it and the other live members have
     * room for it; it may wait for that, nudging this domain's conductor, and answers EAGAIN when a live member's
     * listener stayed behind for the whole back-pressure timeout.
     */
    private int depart(final GroupMembership membership, final IntSupplier registryCall)
    {
        membership.departing(true);
        final int result = registryCall.getAsInt();
        membership.departing(result == 0);
        if (result == 0)
        {
            memberships.remove(membership.groupId());
        }
        else
        {
            domain.membershipsChanged(); // the conductor may have passed this membership by meanwhile: look again
        }
        return result;
    }

    private boolean groupExists(final int groupId)
    {
        for (final GroupView group : domain.registry().groups())
        {
            if (group.groupId() == groupId)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Queues the events a snapshot implies for this device's listeners, acknowledges the departures taken and
     * forgets memberships that ended. Called on the conductor thread.
     *
     * @param followed the memberships to follow, copied before the snapshot was taken.
     * @param groups   a snapshot of every group.
     * @param delivery the domain's delivery queue.
     * @return events queued and departures taken.
     */
    int deliverEvents(
        final List<GroupMembership> followed, final List<GroupView> groups, final GroupEventDelivery delivery)
    {
        int work = 0;
        for (final GroupMembership membership : followed)
        {
            work += membership.update(
                devId, groups, domain.domainId(), domain.domainSlot(), domain.registry(), delivery,
                domain::recordError);
            if (membership.isDone())
            {
                memberships.remove(membership.groupId(), membership);
            }
        }
        return work;
    }

    /**
     * The departure count of a group when this device's membership of it began (test and diagnostics).
     *
     * @param groupId the group.
     * @return the departure number, or -1 when this device is not a member.
     */
    long joinedAfterDeparture(final int groupId)
    {
        final GroupMembership membership = memberships.get(groupId);
        return null == membership ? -1 : membership.joinedAfterDeparture();
    }

    /**
     * The memberships the conductor follows, copied before it takes its registry snapshot.
     *
     * @return a copy of the memberships.
     */
    List<GroupMembership> memberships()
    {
        return new ArrayList<>(memberships.values());
    }

    /** The information the conductor publishes: never changed once made. */
    private static final class InfoSnapshot
    {
        private final DmaInfo info;
        private final boolean started;

        private InfoSnapshot(final DmaInfo info, final boolean started)
        {
            this.info = info;
            this.started = started;
        }
    }
}
