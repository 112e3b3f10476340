package io.shmdma.shm.driver;

import io.shmdma.DmaException;
import io.shmdma.Errno;
import io.shmdma.engine.CopyEngine;
import io.shmdma.engine.SoftwareDmaDriver;
import io.shmdma.memory.DomainEndpoint;
import io.shmdma.memory.DomainMemory;
import io.shmdma.ring.RingDescriptor;
import io.shmdma.shm.DomainSegment;
import io.shmdma.shm.file.ShmFiles;
import io.shmdma.shm.registry.DomainState;
import io.shmdma.shm.registry.DomainView;
import io.shmdma.shm.registry.GroupView;
import io.shmdma.shm.registry.MemberView;
import io.shmdma.shm.registry.Registry;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.shmdma.shm.driver.DriverFileDescriptor.*;

/**
 * The driver's conductor: takes the vchans clients request in {@code driver.shm}, hands them to the engine thread
 * with the fewest, gives them back when asked, and lets go of the vchans of clients that died. Handlers resolve as
 * in the embedded engine ({@code ShmDmaDriver.interProcessEndpoint}): at take-over the driver finds the member a
 * handler names in a group the client's domain is a member of, pins its membership token and maps its segment;
 * every job then compares the token again (lock-free), so a revoked handler fails the next jobs with
 * INVALID_SRC_ADDR / INVALID_DST_ADDR. Every field of a request is read once, checked, and only the copy is used.
 * Runs on its own thread; never touches the data path of a vchan an engine thread runs.
 */
final class DriverConductor implements Agent
{
    private final DriverContext context;
    private final Registry registry;
    private final DriverFile file;
    private final AtomicBuffer buffer;
    private final EngineAgent[] engines;
    private final DriverSegments segments;
    private final ErrorHandler errorHandler;
    private final ServedVchan[] served = new ServedVchan[SLOT_COUNT];
    private final long[] staleWords = new long[SLOT_COUNT];
    private final long[] staleSinceNs = new long[SLOT_COUNT];
    private final long staleTimeoutNs;
    private final long clientCheckIntervalNs;
    private long nextClientCheckNs;
    private volatile boolean registryBroken;
    private volatile int servedCount;

    DriverConductor(
        final DriverContext context, final Registry registry, final DriverFile file, final EngineAgent[] engines,
        final ErrorHandler errorHandler)
    {
        this.context = context;
        this.registry = registry;
        this.file = file;
        this.buffer = file.buffer();
        this.engines = engines;
        this.segments = new DriverSegments(context.dir());
        this.errorHandler = errorHandler;
        this.staleTimeoutNs = 4 * context.livenessTimeoutNs();
        this.clientCheckIntervalNs = Math.max(context.conductorIntervalNs(), context.livenessTimeoutNs() / 10);
    }

    @Override
    public int doWork()
    {
        final long nowNs = System.nanoTime();
        if (!registryBroken && !registry.isIntact())
        {
            registryBroken = true;
            report(new IllegalStateException("control segment " + registry.path() + " was truncated: handlers can no " +
                "longer be checked, inter-process jobs fail with an invalid address"));
        }
        int work = 0;
        for (int slot = 0; slot < SLOT_COUNT; slot++)
        {
            work += scan(slot, nowNs);
        }
        if (nowNs - nextClientCheckNs >= 0)
        {
            nextClientCheckNs = nowNs + clientCheckIntervalNs;
            work += checkClients();
            segments.checkIntact(segment -> report(new IllegalStateException("domain segment " + segment.file() +
                " was truncated while mapped: jobs addressing domain " + segment.domainId() + " now fail with an " +
                "invalid address")));
        }
        work += retireRemoved();
        return work;
    }

    private int scan(final int slot, final long nowNs)
    {
        final long word = lvStateWord(buffer, slot);
        final ServedVchan vchan = served[slot];
        if (vchan != null)
        {
            if (vchan.removalRequested)
            {
                return 0;
            }
            if (word == stateWord(vchan.sequence, RELEASE_REQUESTED))
            {
                vchan.agent.remove(vchan);
                return 1;
            }
            if (word != stateWord(vchan.sequence, TAKEN))
            {
                report(new IllegalStateException("slot " + slot + " of " + vchan + " was changed by another process (" +
                    stateName(state(word)) + "): vchan let go"));
                letGo(vchan);
                return 1;
            }
            return 0;
        }
        switch (state(word))
        {
            case FREE:
                return 0;
            case REQUESTED:
                take(slot, word);
                return 1;
            case RELEASE_REQUESTED:
                casStateWord(buffer, slot, word, stateWord(sequence(word), FREE)); // not served here: nothing to drain
                return 1;
            default:
                // CLAIMING, REFUSED, or TAKEN by no one here: the client is writing or reading it, or died doing so
                if (staleWords[slot] != word)
                {
                    staleWords[slot] = word;
                    staleSinceNs[slot] = nowNs;
                }
                else if (nowNs - staleSinceNs[slot] > staleTimeoutNs &&
                    casStateWord(buffer, slot, word, stateWord(sequence(word), FREE)))
                {
                    staleWords[slot] = 0;
                    report(new IllegalStateException("freed slot " + slot + " of " + file.file() + ", left " +
                        stateName(state(word)) + " for " + TimeUnit.NANOSECONDS.toMillis(staleTimeoutNs) +
                        " ms (its client died while claiming it)"));
                    return 1;
                }
                return 0;
        }
    }

    /** Reads a request once, checks the copy, maps what it names and gives it to an engine thread, or refuses it. */
    private void take(final int slot, final long word)
    {
        final int offset = slotOffset(slot);
        final int sequence = sequence(word);
        final int vchan = buffer.getInt(offset + SLOT_VCHAN_OFFSET);
        final int domainSlot = buffer.getInt(offset + SLOT_DOMAIN_SLOT_OFFSET);
        final int type = buffer.getInt(offset + SLOT_TYPE_OFFSET);
        final long generation = buffer.getLong(offset + SLOT_DOMAIN_GENERATION_OFFSET);
        final UUID domainId = clientDomain(buffer, slot);
        final int srcHandler = buffer.getInt(offset + SLOT_SRC_HANDLER_OFFSET);
        final int dstHandler = buffer.getInt(offset + SLOT_DST_HANDLER_OFFSET);
        final int ringLength = buffer.getInt(offset + SLOT_RING_LENGTH_OFFSET);
        final String deviceName = getString(buffer, offset + SLOT_DEVICE_NAME_LENGTH_OFFSET, DEVICE_NAME_MAX_LENGTH);
        final String ringName = getString(buffer, offset + SLOT_RING_NAME_LENGTH_OFFSET, RING_NAME_MAX_LENGTH);
        final String what = "device " + deviceName + " vchan " + vchan + " of domain " + domainId +
            " (slot " + slot + ")";

        final List<DriverSegments.Key> acquired = new ArrayList<>(2);
        MappedByteBuffer ringMapping = null;
        FileChannel ringChannel = null;
        try
        {
            if (deviceName == null || ringName == null || vchan < 0 || vchan >= SoftwareDmaDriver.MAX_VCHANS ||
                (type != TYPE_LOCAL && type != TYPE_INTER_PROCESS))
            {
                throw new DmaException(Errno.EINVAL, "malformed request");
            }
            if (!ringName.startsWith("ring-" + domainId + "-") || !ringName.endsWith(".shm") ||
                ringName.indexOf('/') >= 0 || ringName.indexOf('\0') >= 0)
            {
                throw new DmaException(Errno.EINVAL, "ring file name '" + ringName + "' is not one of the domain's");
            }
            checkClient(domainSlot, generation, domainId);
            final DomainEndpoint source;
            final DomainEndpoint destination;
            if (type == TYPE_LOCAL)
            {
                source = localEndpoint(new DriverSegments.Key(domainId, generation), acquired);
                destination = source;
            }
            else
            {
                final List<GroupView> groups = registry.groups();
                source = interProcessEndpoint(srcHandler, domainId, domainSlot, generation, groups, acquired);
                destination = interProcessEndpoint(dstHandler, domainId, domainSlot, generation, groups, acquired);
                if (source == null || destination == null)
                {
                    throw new DmaException(Errno.EINVAL, "handler " + (source == null ? srcHandler : dstHandler) +
                        " does not name a live member of a group the domain is in");
                }
            }
            final Path ringFile = context.dir().resolve(ringName);
            ringChannel = ShmFiles.openExisting(ringFile, false);
            final long fileLength = ringChannel.size();
            if (ringLength < RingDescriptor.HEADER_LENGTH || ringLength > fileLength)
            {
                throw new DmaException(Errno.EINVAL, "ring length " + ringLength + " does not fit the file (" +
                    fileLength + " bytes)");
            }
            if (ShmFiles.linkCount(ringChannel, ringFile) != 1)
            {
                throw new DmaException(Errno.EINVAL, "ring file " + ringFile + " has other names (a hard link to a " +
                    "file that is not the client's ring?)");
            }
            ringMapping = ShmFiles.map(ringChannel, ringFile, 0, ringLength);
            // the mapping outlives the channel: no descriptor is kept that another process of this user could reopen
            // through /proc/<pid>/fd and truncate; the client removes the name once the vchan is taken
            ShmFiles.closeQuietly(ringChannel);
            ringChannel = null;
            final UnsafeBuffer ring = new UnsafeBuffer(ringMapping);
            final CopyEngine engine = new CopyEngine("shmdma-driver-" + deviceName + "-" + vchan, errorHandler);
            final int capacity = engine.addVchan(ring, source, destination); // the geometry, read once and checked
            buffer.putLong(offset + SLOT_DRIVER_INCARNATION_OFFSET, file.incarnation());
            servedCount++; // before the client can see TAKEN: a start that returned is counted in servedVchans()
            if (!casStateWord(buffer, slot, word, stateWord(sequence, TAKEN)))
            {
                servedCount--;
                throw new DmaException(Errno.EIO, "request withdrawn");
            }
            final ServedVchan taken = new ServedVchan(slot, sequence, domainId, domainSlot, generation, deviceName,
                vchan, ringFile, ringMapping, engine, List.copyOf(acquired), capacity);
            served[slot] = taken;
            leastLoaded().add(taken);
        }
        catch (final DmaException | IllegalStateException | IllegalArgumentException | IOException ex)
        {
            ShmFiles.unmap(ringMapping);
            ShmFiles.closeQuietly(ringChannel);
            for (final DriverSegments.Key key : acquired)
            {
                segments.release(key);
            }
            final int errno = ex instanceof DmaException ? ((DmaException)ex).errno() : Errno.EINVAL;
            buffer.putInt(offset + SLOT_ERRNO_OFFSET, errno);
            if (casStateWord(buffer, slot, word, stateWord(sequence, REFUSED)))
            {
                report(new IllegalStateException("refused " + what + ": " + Errno.name(errno) + ", " +
                    ex.getMessage(), ex));
            }
        }
    }

    /** The client's domain must be registered and alive with the UUID and generation it claims. */
    private void checkClient(final int domainSlot, final long generation, final UUID domainId)
    {
        final Optional<DomainView> view = registry.domain(domainSlot);
        if (view.isEmpty() || view.get().state() != DomainState.ACTIVE || view.get().generation() != generation ||
            !domainId.equals(view.get().domainId()) || view.get().heartbeatAgeNs() > context.livenessTimeoutNs())
        {
            throw new DmaException(Errno.EINVAL, "domain " + domainId + " is not registered alive in slot " +
                domainSlot + " with generation " + generation);
        }
    }

    private DomainEndpoint localEndpoint(final DriverSegments.Key key, final List<DriverSegments.Key> acquired)
    {
        final DomainSegment segment = segments.acquire(key);
        acquired.add(key);
        final DomainMemory memory = segment.memory();
        return () -> segment.isIntact() ? memory : null;
    }

    /**
     * The endpoint of a handler for a client, as the embedded engine resolves it: the member the handler names, in a
     * group the client's domain is a member of, its membership token pinned now and compared at every job.
     */
    private DomainEndpoint interProcessEndpoint(
        final int handler, final UUID clientId, final int clientSlot, final long clientGeneration,
        final List<GroupView> groups, final List<DriverSegments.Key> acquired)
    {
        for (final GroupView group : groups)
        {
            MemberView target = null;
            boolean clientIsMember = false;
            for (final MemberView member : group.members())
            {
                if (member.handler() == handler)
                {
                    target = member;
                }
                if (member.domainSlot() == clientSlot && member.domainGeneration() == clientGeneration &&
                    member.domainId().equals(clientId))
                {
                    clientIsMember = true;
                }
            }
            if (target == null)
            {
                continue;
            }
            final long pinned = registry.membershipToken(handler);
            if (!clientIsMember || pinned == 0 || pinned != target.membershipToken())
            {
                return null;
            }
            final DriverSegments.Key key = new DriverSegments.Key(target.domainId(), target.domainGeneration());
            final DomainSegment segment = segments.acquire(key);
            acquired.add(key);
            if (!segment.isIntact())
            {
                return null;
            }
            final DomainMemory memory = segment.memory();
            return () -> !registryBroken && registry.membershipToken(handler) == pinned && segment.isIntact() ?
                memory : null;
        }
        return null;
    }

    private EngineAgent leastLoaded()
    {
        EngineAgent least = engines[0];
        for (final EngineAgent engine : engines)
        {
            if (engine.assigned < least.assigned)
            {
                least = engine;
            }
        }
        return least;
    }

    /** Takes a vchan off its engine thread without running its jobs (its client is gone or its slot was taken). */
    private void letGo(final ServedVchan vchan)
    {
        vchan.drainOnRemoval = false;
        vchan.agent.remove(vchan);
    }

    /**
     * Lets go of the vchans of clients whose domain is no longer registered alive. A served ring is not checked for
     * truncation: it has no name once its vchan is taken and this process keeps no descriptor of it, so no process
     * can reach its file (see docs/security.md for the window while a start waits).
     */
    private int checkClients()
    {
        if (servedCount == 0)
        {
            return 0;
        }
        final DomainView[] bySlot = new DomainView[256];
        for (final DomainView domain : registry.domains())
        {
            if (domain.slot() >= 0 && domain.slot() < bySlot.length)
            {
                bySlot[domain.slot()] = domain;
            }
        }
        int work = 0;
        for (final ServedVchan vchan : served)
        {
            if (vchan == null || vchan.removalRequested)
            {
                continue;
            }
            final DomainView domain = vchan.clientDomainSlot >= 0 && vchan.clientDomainSlot < bySlot.length ?
                bySlot[vchan.clientDomainSlot] : null;
            final boolean alive = domain != null && domain.state() == DomainState.ACTIVE &&
                domain.generation() == vchan.clientDomainGeneration &&
                domain.heartbeatAgeNs() <= context.livenessTimeoutNs();
            if (!alive)
            {
                report(new IllegalStateException("client " + vchan + " is gone (" + (domain == null ||
                    domain.generation() != vchan.clientDomainGeneration ? "unregistered or reaped" :
                    "heartbeat " + TimeUnit.NANOSECONDS.toMillis(domain.heartbeatAgeNs()) + " ms old") +
                    "): vchan let go, its ring and segment unmapped"));
                letGo(vchan);
                work++;
            }
        }
        return work;
    }

    /** Unmaps what the engine threads let go of and frees the slots. */
    private int retireRemoved()
    {
        int work = 0;
        for (int slot = 0; slot < SLOT_COUNT; slot++)
        {
            final ServedVchan vchan = served[slot];
            if (vchan != null && vchan.removalRequested && vchan.removed)
            {
                served[slot] = null;
                servedCount--;
                release(vchan);
                if (!casStateWord(buffer, slot, stateWord(vchan.sequence, RELEASE_REQUESTED),
                    stateWord(vchan.sequence, FREE)))
                {
                    casStateWord(buffer, slot, stateWord(vchan.sequence, TAKEN), stateWord(vchan.sequence, FREE));
                }
                work++;
            }
        }
        return work;
    }

    private void release(final ServedVchan vchan)
    {
        ShmFiles.unmap(vchan.ringMapping);
        for (final DriverSegments.Key key : vchan.segments)
        {
            segments.release(key);
        }
    }

    /**
     * Vchans served now. Any thread.
     *
     * @return the count.
     */
    int servedCount()
    {
        return servedCount;
    }

    /** Once the engine threads stopped: unmaps every ring and segment. */
    @Override
    public void onClose()
    {
        for (int slot = 0; slot < SLOT_COUNT; slot++)
        {
            if (served[slot] != null)
            {
                release(served[slot]);
                served[slot] = null;
            }
        }
        servedCount = 0;
        segments.close();
    }

    private void report(final Throwable error)
    {
        try
        {
            errorHandler.onError(error);
        }
        catch (final RuntimeException ex)
        {
            System.err.println("shmdma driver: " + error + " (and reporting it failed: " + ex + ")");
        }
    }

    @Override
    public String roleName()
    {
        return "shmdma-driver-conductor";
    }
}
