package io.shmdma.shm;

import io.shmdma.DmaCapability;
import io.shmdma.DmaDevice;
import io.shmdma.DmaDevices;
import io.shmdma.DmaException;
import io.shmdma.DmaInfo;
import io.shmdma.DmaStats;
import io.shmdma.Errno;
import io.shmdma.GroupEventListener;
import io.shmdma.VchanConf;
import io.shmdma.engine.EngineThreading;
import io.shmdma.engine.SoftwareDmaDriver;
import io.shmdma.memory.DomainEndpoint;
import io.shmdma.memory.DomainMemory;
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
import java.util.function.IntSupplier;

/**
 * The inter-process device: a {@link SoftwareDmaDriver} whose rings live in mapped files and whose vchans
 * may name domains of other processes by access pair group handlers. The group operations go to the
 * {@link Registry} in the control segment. Created by {@link ShmDomain#createDevice}.
 */
public final class ShmDmaDriver extends SoftwareDmaDriver
{
    private final ShmDomain domain;
    private final String name;
    private final Map<Integer, GroupMembership> memberships = new ConcurrentHashMap<>();
    private final Path[] ringFiles = new Path[MAX_VCHANS];
    private final DmaStats publishedStats = new DmaStats();
    private final DmaInfo publishedInfo = new DmaInfo();
    private int devId = -1;
    private volatile DeviceCounters counters;

    ShmDmaDriver(final ShmDomain domain, final String name, final EngineThreading threading)
    {
        super(domain.memory(), threading);
        this.domain = domain;
        this.name = name;
        name(name);
    }

    @Override
    public void registered(final int devId)
    {
        this.devId = devId;
        final int counterId = domain.registry().allocateDeviceCounters(domain.domainSlot(), devId, name);
        counters = counterId >= 0 ? domain.registry().deviceCounters(counterId) : null;
    }

    /**
     * Copies this device's information ({@code rte_dma_info_get}, started or not) and its stats over every vchan
     * into its counters in the control segment, for operators. Called on the conductor thread.
     */
    void publishCounters()
    {
        final DeviceCounters current = counters;
        if (current != null)
        {
            publishInfo(current);
            publishStats(current);
        }
    }

    /**
     * Holds the device's monitor, which every {@link DmaDevice} method holds when it calls into this driver, so
     * the device cannot close (and its counters slot be freed and handed to another device) meanwhile. Never
     * holds this driver's monitor while taking the device's: the device takes them in the other order.
     */
    private void publishInfo(final DeviceCounters current)
    {
        final int id = devId;
        final DmaDevice device;
        try
        {
            device = DmaDevices.isValid(id) ? DmaDevices.get(id) : null;
        }
        catch (final DmaException closedMeanwhile)
        {
            return;
        }
        if (device == null || device.driver() != this)
        {
            return;
        }
        synchronized (device)
        {
            if (device.isValid() && counters == current)
            {
                device.info(publishedInfo);
                current.publishInfo(publishedInfo, device.isStarted());
            }
        }
    }

    private synchronized void publishStats(final DeviceCounters current)
    {
        if (counters == current)
        {
            publishedStats.clear();
            statsGet(DmaDevice.ALL_VCHAN, publishedStats);
            current.set(publishedStats.submitted, publishedStats.completed, publishedStats.errors);
        }
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

    @Override
    protected AtomicBuffer ringBuffer(final int vchan, final int length)
    {
        releaseRing(vchan);
        final Path file = domain.dir().resolve("ring-" + domain.domainId() + "-" + name + "-" + vchan + ".shm");
        ShmFiles.deleteQuietly(file); // a name left by an earlier run of this device: unlinking never follows it
        // created with O_EXCL and mapped through the channel that created it: a name swapped meanwhile is not used
        final MappedByteBuffer mapped = ShmFiles.createMapped(file, length, domain.context().groupShared());
        ringFiles[vchan] = file;
        return new UnsafeBuffer(mapped);
    }

    /**
     * Deletes a vchan's ring file. The mapping is not unmapped here but by the garbage collector once no ring
     * object refers to it, so an application thread that still calls into a closed or reconfigured vchan (against
     * the one-thread-per-device rule) writes into memory that stays mapped instead of crashing the JVM.
     */
    private void releaseRing(final int vchan)
    {
        if (ringFiles[vchan] != null)
        {
            ShmFiles.deleteQuietly(ringFiles[vchan]);
            ringFiles[vchan] = null;
        }
    }

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

    /** Synchronized with {@link #publishCounters()}, whose stats part reads the rings this replaces and unmaps. */
    @Override
    public synchronized int vchanSetup(final int vchan, final VchanConf vchanConf)
    {
        return super.vchanSetup(vchan, vchanConf);
    }

    /** Synchronized with {@link #publishCounters()}, whose stats part reads the rings this unmaps. */
    @Override
    public synchronized int close()
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
        int result = domain.isDeclaredDead() ? -Errno.ESRCH : 0;
        if (result == 0)
        {
            result = domainId.equals(domain.domainId()) ?
                domain.registry().createGroup(domain.domainSlot(), token) : -Errno.EINVAL;
            if (result >= 0)
            {
                memberships.put(result, new GroupMembership(result, true, listener, domain.registry()));
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
                result = memberships.containsKey(groupId) ? -Errno.EEXIST :
                    domain.registry().joinGroup(domain.domainSlot(), token, groupId);
                if (result >= 0)
                {
                    memberships.put(groupId, new GroupMembership(groupId, false, listener, domain.registry()));
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
     * raises no event for this device's own act, and forgets it when the registry agreed.
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
     * Delivers the events the registry's current state implies to this device's listeners and forgets
     * groups that went away. Called on the conductor thread.
     *
     * @param groups a fresh snapshot of every group.
     */
    void deliverEvents(final List<GroupView> groups)
    {
        for (final GroupMembership membership : new ArrayList<>(memberships.values()))
        {
            if (!membership.update(devId, groups, domain.domainId(), domain::recordError))
            {
                memberships.remove(membership.groupId(), membership);
            }
        }
    }

    /**
     * Groups this device belongs to, for leaving them at close.
     *
     * @return a snapshot of the memberships.
     */
    List<GroupMembership> memberships()
    {
        return new ArrayList<>(memberships.values());
    }
}
