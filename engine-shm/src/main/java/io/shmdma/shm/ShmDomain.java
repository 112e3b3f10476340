package io.shmdma.shm;

import io.shmdma.DmaDevice;
import io.shmdma.DmaDevices;
import io.shmdma.DmaException;
import io.shmdma.Errno;
import io.shmdma.GroupEventListener;
import io.shmdma.engine.EngineThreading;
import io.shmdma.memory.DmaRegion;
import io.shmdma.memory.DomainMemory;
import io.shmdma.shm.file.ShmFiles;
import io.shmdma.shm.registry.DomainView;
import io.shmdma.shm.registry.GroupView;
import io.shmdma.shm.registry.MemberView;
import io.shmdma.shm.registry.ReapedDomain;
import io.shmdma.shm.registry.RegionView;
import io.shmdma.shm.registry.Registry;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.AgentRunner;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;

/**
 * This process as a domain on the host: its segment of DMA-able memory, its registration in the control
 * segment, the conductor thread, the group event delivery thread, the peers' segments it has mapped, and the
 * devices it created.
 * <p>
 * Threads: the conductor ({@code shmdma-conductor-<domain>}, {@link ShmConductor}) heartbeats, reaps dead
 * domains, takes group departures from the registry and publishes device counters; it never runs application
 * code and never takes a lock application code can hold. Group event listeners and the context's
 * {@link ShmContext#errorHandler error handler} run on the delivery thread ({@code shmdma-events-<domain>}), fed
 * through bounded queues: a listener or handler that blocks delays only the events and errors behind it. All three
 * kinds of thread (and the devices' engine threads) are made by {@link ShmContext#threadFactory}.
 * <p>
 * Thread safety: every method may be called from any thread; {@link #createDevice} and {@link #close()} are
 * control-plane calls (they take locks and may wait for the registry lock of another process), and close must not
 * race with the use of the domain's devices or memory: it stops and closes the devices and unmaps the memory.
 * The devices themselves follow {@link DmaDevice}'s rules.
 * <p>
 * Open one per process with {@link #open(ShmContext)}; close it to leave every group, unmap and delete
 * this process's files.
 */
public final class ShmDomain implements AutoCloseable
{
    /** Name of the control segment file in the directory. */
    public static final String CONTROL_FILE_NAME = "control.shm";

    private final ShmContext context;
    private final Registry registry;
    private final DomainSegment segment;
    private final int domainSlot;
    private final Map<UUID, DomainSegment> peers = new ConcurrentHashMap<>();
    private final List<ShmDmaDriver> drivers = new CopyOnWriteArrayList<>();
    private final Map<ShmDmaDriver, DmaDevice> devices = new ConcurrentHashMap<>();
    private final ThreadFactory threadFactory;
    private final ErrorHandler errorHandler;
    private final GroupEventDelivery delivery;
    private final ShmConductor conductor;
    private final AgentRunner conductorRunner;
    private volatile boolean closed;
    private volatile boolean declaredDead;
    private volatile boolean registryBroken;

    private ShmDomain(final ShmContext context)
    {
        this.context = context;
        threadFactory = context.threadFactory();
        errorHandler = null == context.errorHandler() ? null : new SafeErrorHandler(context.errorHandler());
        ShmFiles.ensureDirectory(context.dir(), context.groupShared());
        registry = Registry.openOrCreate(context.dir().resolve(CONTROL_FILE_NAME), context.registryConfig());
        DomainSegment createdSegment = null;
        try
        {
            reapDeadDomains(System.nanoTime());
            deleteUnregisteredFiles();
            createdSegment = DomainSegment.create(
                context.dir(), context.domainId(), context.domainSegmentSize(), context.groupShared());
            final int slot = registry.registerDomain(context.domainId(), createdSegment.file().getFileName().toString(),
                context.domainSegmentSize());
            if (slot < 0)
            {
                throw new DmaException(-slot, "cannot register domain " + context.domainId() + " in " +
                    context.dir());
            }
            segment = createdSegment;
            domainSlot = slot;
            segment.memory().regionNaming(new PublishedRegions());
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(createdSegment);
            CloseHelper.quietClose(registry);
            throw ex;
        }
        GroupEventDelivery startedDelivery = null;
        try
        {
            startedDelivery = new GroupEventDelivery(threadFactory, "shmdma-events-" + context.domainId(),
                this::recordError, errorHandler);
            startedDelivery.start();
            delivery = startedDelivery;
            conductor = new ShmConductor(this, delivery);
            registry.onBackPressure(conductor::wake);
            conductorRunner = new AgentRunner(new ShmConductor.Idle(context.conductorIntervalNs()),
                this::recordError, null, conductor);
            AgentRunner.startOnThread(conductorRunner, threadFactory);
        }
        catch (final RuntimeException ex)
        {
            // a thread factory that failed: undo the registration, as close does
            closed = true;
            if (null != startedDelivery)
            {
                startedDelivery.close(context.livenessTimeoutNs());
            }
            try
            {
                registry.unregisterDomain(domainSlot);
            }
            catch (final RuntimeException unregisterFailure)
            {
                ex.addSuppressed(unregisterFailure);
            }
            CloseHelper.quietClose(segment);
            CloseHelper.quietClose(registry);
            throw ex;
        }
    }

    /**
     * Opens this process's domain: maps (or creates) the control segment, recovers what dead processes left,
     * creates this domain's segment and starts the conductor.
     *
     * @param context the configuration; concluded here.
     * @return the domain.
     * @throws IllegalArgumentException for a null context or an invalid setting.
     * @throws IllegalStateException    for a context that was already concluded (used for another open).
     * @throws DmaException             naming the file: EINVAL for a control segment that is corrupt, truncated
     *                                  or of another layout, ENOSPC when the control or domain segment does not
     *                                  fit in the file system, EACCES without permission, ETIMEDOUT or EIO.
     */
    public static ShmDomain open(final ShmContext context)
    {
        if (context == null)
        {
            throw new IllegalArgumentException("context is required");
        }
        context.conclude();
        return new ShmDomain(context);
    }

    /**
     * Registers a new inter-process device of this domain.
     *
     * @param name      unique device name in this process.
     * @param threading how its engine runs; a dedicated engine thread is made by the threading's own factory, or
     *                  else by the context's {@link ShmContext#threadFactory}.
     * @return the device.
     * @throws DmaException EINVAL for a closed domain, a null threading or a bad name, EEXIST for a name in use.
     */
    public DmaDevice createDevice(final String name, final EngineThreading threading)
    {
        checkOpen();
        if (threading == null)
        {
            throw new DmaException(Errno.EINVAL, "threading is required");
        }
        final EngineThreading engineThreading = threading.isInline() || null != threading.threadFactory() ?
            threading : threading.withThreadFactory(threadFactory);
        final ShmDmaDriver driver = new ShmDmaDriver(this, name, engineThreading);
        final DmaDevice device = DmaDevices.register(name, driver);
        devices.put(driver, device);
        drivers.add(driver);
        return device;
    }

    /**
     * This domain's DMA-able memory, in its segment file.
     *
     * @return the memory.
     * @throws IllegalStateException after {@link #close()}: the segment is unmapped.
     */
    public DomainMemory memory()
    {
        return segment.memory();
    }

    /**
     * Allocates a region of this domain's memory and publishes it by name in the control segment, as
     * {@code memory().allocate(name, length)}: a member of an access pair group this domain belongs to finds it
     * with {@link #lookupRegion(UUID, String)}, knowing only this domain's id and the name. Closing the region
     * withdraws it; so does closing this domain, or its reaping.
     *
     * @param name   1..64 UTF-8 bytes, unique in this domain.
     * @param length bytes, 1..{@link DomainMemory#CHUNK_SIZE}.
     * @return the region.
     * @throws DmaException EINVAL for a closed domain or a bad name, EEXIST for a name in use, ENOSPC when the
     *                      control segment's region table (1024 entries) is full.
     */
    public DmaRegion allocateNamed(final String name, final long length)
    {
        checkOpen();
        if (null == name)
        {
            throw new DmaException(Errno.EINVAL, "a name is required");
        }
        return segment.memory().allocate(name, length);
    }

    /**
     * Looks up a named region of a peer (or of this domain). The peer must share an access pair group with this
     * domain: a name alone gives no access.
     *
     * @param peerDomainId the peer's domain id.
     * @param name         the region's name.
     * @return the region: its IOVA (in the peer's domain) and length.
     * @throws DmaException EINVAL for a bad argument or a closed domain, ENOENT when the peer is not registered or
     *                      published no region of that name, EPERM when it shares no group with this domain.
     */
    public RegionView lookupRegion(final UUID peerDomainId, final String name)
    {
        checkOpen();
        final RegionView[] found = new RegionView[1];
        final int rc = registry.lookupRegion(domainSlot, peerDomainId, name, region -> found[0] = region);
        if (rc < 0)
        {
            throw new DmaException(-rc, "region " + name + " of domain " + peerDomainId + " in " + dir());
        }
        return found[0];
    }

    /**
     * The named regions of a peer (or of this domain); the peer must share an access pair group with this domain.
     *
     * @param peerDomainId the peer's domain id.
     * @return the regions, in table order.
     * @throws DmaException EINVAL for a bad argument or a closed domain, ENOENT when the peer is not registered,
     *                      EPERM when it shares no group with this domain.
     */
    public List<RegionView> regions(final UUID peerDomainId)
    {
        checkOpen();
        final List<RegionView> regions = new ArrayList<>();
        final int rc = registry.listRegions(domainSlot, peerDomainId, regions);
        if (rc < 0)
        {
            throw new DmaException(-rc, "regions of domain " + peerDomainId + " in " + dir());
        }
        return regions;
    }

    /**
     * Creates a named access pair group through one of this domain's devices, as
     * {@link DmaDevice#accessPairGroupCreate(UUID, UUID, GroupEventListener)}: joiners find its id by
     * name with {@link #groupIdByName(String)}; the token is still the only secret and passes out of band.
     *
     * @param device   a device of this domain ({@link #createDevice}).
     * @param name     1..64 UTF-8 bytes, unique among the live groups of the directory.
     * @param token    the group's secret.
     * @param listener receives MEMBER_LEFT events; may be null.
     * @return the group id.
     * @throws DmaException EINVAL for a bad argument or a device of another domain, EEXIST when a live group has
     *                      that name, else as the unnamed create.
     */
    public int accessPairGroupCreate(
        final DmaDevice device, final String name, final UUID token, final GroupEventListener listener)
    {
        checkOpen();
        ShmDmaDriver driver = null;
        for (final Map.Entry<ShmDmaDriver, DmaDevice> entry : devices.entrySet())
        {
            if (entry.getValue() == device)
            {
                driver = entry.getKey();
            }
        }
        if (null == driver || null == name || name.isEmpty() || null == token)
        {
            throw new DmaException(Errno.EINVAL, "a device of this domain, a name and a token are required");
        }
        return DmaException.check(driver.accessPairGroupCreate(domainId(), token, name, listener),
            "access pair group create " + name);
    }

    /**
     * The id of the live access pair group with a name.
     *
     * @param name the group's name.
     * @return the group id.
     * @throws DmaException EINVAL for a bad name or a closed domain, ENOENT when no live group has it.
     */
    public int groupIdByName(final String name)
    {
        checkOpen();
        final int groupId = registry.findGroup(name);
        if (groupId < 0)
        {
            throw new DmaException(-groupId, "group " + name + " in " + dir());
        }
        return groupId;
    }

    /**
     * The domains of an access pair group this domain is a member of, creator first: how a joiner that knows only
     * the group's name and token learns the creator's domain id (for handler get and region lookups), and a
     * creator its joiners'.
     *
     * @param groupId the group id.
     * @return the members' domain ids, creator first.
     * @throws DmaException EINVAL for a closed domain, ENOENT when the group does not exist, EPERM when this domain
     *                      is not a member.
     */
    public List<UUID> groupMembers(final int groupId)
    {
        checkOpen();
        final GroupView group = registry.group(groupId).orElseThrow(
            () -> new DmaException(Errno.ENOENT, "group " + groupId + " in " + dir()));
        if (group.member(domainId()).isEmpty())
        {
            throw new DmaException(Errno.EPERM, "domain " + domainId() + " is not a member of group " + groupId);
        }
        final List<UUID> members = new ArrayList<>();
        for (final MemberView member : group.members())
        {
            members.add(member.domainId());
        }
        return members;
    }

    /**
     * This process's domain.
     *
     * @return the domain id.
     */
    public UUID domainId()
    {
        return context.domainId();
    }

    /**
     * The directory of the mapped files.
     *
     * @return the directory.
     */
    public Path dir()
    {
        return context.dir();
    }

    /**
     * The configuration.
     *
     * @return the concluded context.
     */
    public ShmContext context()
    {
        return context;
    }

    /**
     * The registry in the control segment. Not for applications, which go through the validating device layer:
     * package-private for the driver, the conductor and tests.
     *
     * @return the registry.
     */
    Registry registry()
    {
        return registry;
    }

    /**
     * Whether the conductor found the control segment truncated: handlers can no longer be checked, so
     * inter-process jobs fail with an invalid address. Lock-free, for the data path.
     *
     * @return true once found truncated.
     */
    boolean isRegistryBroken()
    {
        return registryBroken;
    }

    int domainSlot()
    {
        return domainSlot;
    }

    /**
     * Whether peers declared this process dead because its heartbeat stopped for longer than the liveness
     * timeout (a long GC or scheduling pause, SIGSTOP). Its memberships were removed; open a new domain.
     *
     * @return true once declared dead.
     */
    public boolean isDeclaredDead()
    {
        return declaredDead;
    }

    /**
     * The segment of a domain: this one's, or a peer's mapped on first use. Control plane only.
     *
     * @param domainId the domain.
     * @return the segment, or null when the peer's segment cannot be mapped (the reason is in the error log).
     */
    DomainSegment segmentOf(final UUID domainId)
    {
        if (domainId.equals(domainId()))
        {
            return segment;
        }
        try
        {
            return peers.computeIfAbsent(domainId, id -> DomainSegment.mapPeer(context.dir(), id));
        }
        catch (final IllegalStateException | DmaException ex)
        {
            recordError(ex);
            return null;
        }
    }

    /** Marks segments whose file was truncated after mapping as broken, so jobs stop touching them. */
    void checkSegments()
    {
        checkSegment(segment);
        for (final DomainSegment peer : peers.values())
        {
            checkSegment(peer);
        }
    }

    private void checkSegment(final DomainSegment checked)
    {
        if (checked.isIntact() && !checked.checkIntact())
        {
            recordError(new IllegalStateException("domain segment " + checked.file() + " was truncated to " +
                checked.fileLength() + " bytes while mapped (" + checked.mappedLength() + "): jobs addressing " +
                "domain " + checked.domainId() + " now fail with an invalid address; shmdma never truncates a " +
                "segment, so another process with write access to the file did"));
        }
    }

    void deviceClosed(final ShmDmaDriver driver)
    {
        drivers.remove(driver);
        devices.remove(driver);
    }

    boolean isClosed()
    {
        return closed;
    }

    /**
     * Runs the checks of a conductor duty cycle now, on the calling thread, for tests: whether the control segment
     * and the mapped segments are still intact. Safe alongside the conductor (each check only ever sets a flag).
     */
    void conduct()
    {
        if (!closed && checkRegistryIntact())
        {
            checkSegments();
        }
    }

    /**
     * Whether the control segment can still be touched: false once the conductor found it truncated (touching it
     * would fault), and from then on.
     *
     * @return true while intact.
     */
    boolean checkRegistryIntact()
    {
        if (registryBroken || !registry.isIntact())
        {
            registryBroken = true;
            return false;
        }
        return true;
    }

    /** Writes this domain's heartbeat; records once that peers declared it dead when the heartbeat is refused. */
    void heartbeat()
    {
        if (!registry.heartbeat(domainSlot) && !declaredDead)
        {
            declaredDead = true;
            recordError(new IllegalStateException("domain " + domainId() + " was declared dead by a peer (heartbeat " +
                "older than the liveness timeout, e.g. a long pause); its memberships are gone"));
        }
    }

    /** The devices of this domain, for the conductor. */
    List<ShmDmaDriver> drivers()
    {
        return drivers;
    }

    /** A device began a membership: the conductor takes a fresh snapshot at its next cycle. */
    void membershipsChanged()
    {
        conductor.wake();
    }

    /**
     * Reaps dead domains and deletes their files.
     *
     * @param nowNs {@link System#nanoTime()}.
     * @return how many were reaped.
     */
    int reapDeadDomains(final long nowNs)
    {
        final List<ReapedDomain> reaped = registry.reapDeadDomains(nowNs);
        for (final ReapedDomain domain : reaped)
        {
            deleteFilesOf(domain.domainId());
        }
        return reaped.size();
    }

    /**
     * Deletes the segment and ring files of domains that are not in the registry and whose segment no live process
     * holds: left by a process killed while opening (before it registered), or by a reaper killed before it deleted
     * the files of what it reaped.
     */
    private void deleteUnregisteredFiles()
    {
        final Set<UUID> registered = new HashSet<>();
        for (final DomainView domain : registry.domains())
        {
            registered.add(domain.domainId());
        }
        final Set<UUID> unregistered = new TreeSet<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(context.dir(), "{domain,ring}-*.shm"))
        {
            for (final Path file : files)
            {
                final String name = file.getFileName().toString();
                final int start = name.indexOf('-') + 1;
                try
                {
                    final UUID owner = UUID.fromString(name.substring(start, Math.min(name.length(), start + 36)));
                    if (!registered.contains(owner))
                    {
                        unregistered.add(owner);
                    }
                }
                catch (final IllegalArgumentException notOurs)
                {
                    // not a file name this layer writes: leave it
                }
            }
        }
        catch (final IOException ex)
        {
            recordError(ex);
            return;
        }
        for (final UUID owner : unregistered)
        {
            if (ShmFiles.deleteIfUnlocked(DomainSegmentDescriptor.file(context.dir(), owner)))
            {
                deleteFilesOf(owner);
                recordError(new IllegalStateException("deleted the files of domain " + owner + ", which is not " +
                    "registered and whose segment no live process holds"));
            }
        }
    }

    private void deleteFilesOf(final UUID deadDomain)
    {
        ShmFiles.deleteQuietly(DomainSegmentDescriptor.file(context.dir(), deadDomain));
        try (DirectoryStream<Path> rings = Files.newDirectoryStream(context.dir(), "ring-" + deadDomain + "-*"))
        {
            for (final Path ring : rings)
            {
                ShmFiles.deleteQuietly(ring);
            }
        }
        catch (final IOException ex)
        {
            recordError(ex);
        }
    }

    /**
     * Records an error in the shared error log and passes it to the context's error handler (on the delivery
     * thread; on this one while the domain opens or after it closed). Any thread.
     *
     * @param error the error.
     * @throws RuntimeException when the error log cannot be written (a closed or damaged control segment); the
     *                          handler has the error all the same.
     */
    void recordError(final Throwable error)
    {
        try
        {
            registry.errorLog().record(error);
        }
        finally
        {
            if (null != errorHandler)
            {
                final GroupEventDelivery current = delivery;
                if (null == current)
                {
                    errorHandler.onError(error); // still opening: this is the application's thread
                }
                else
                {
                    current.offerError(error);
                }
            }
        }
    }

    /** Publishes this domain's named regions in the control segment. */
    private final class PublishedRegions implements DomainMemory.RegionNaming
    {
        public int publish(final String name, final long iova, final long length)
        {
            return closed ? -Errno.EINVAL : registry.publishRegion(domainSlot, name, iova, length);
        }

        public void unpublish(final String name)
        {
            if (!closed)
            {
                try
                {
                    registry.unpublishRegion(domainSlot, name);
                }
                catch (final RuntimeException ex)
                {
                    // the registry closed meanwhile: the domain's regions went with its unregistration
                }
            }
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new DmaException(Errno.EINVAL, "domain " + domainId() + " is closed");
        }
    }

    /**
     * Stops and closes this domain's devices, leaves every group (groups it created are destroyed), stops the
     * conductor, unmaps every segment and deletes this process's files.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        CloseHelper.quietClose(conductorRunner);
        for (final ShmDmaDriver driver : drivers)
        {
            final DmaDevice device = devices.get(driver);
            if (device != null && device.isValid())
            {
                try
                {
                    device.stop();
                    device.close();
                }
                catch (final RuntimeException | InternalError ex)
                {
                    recordErrorQuietly(ex);
                }
            }
        }
        closed = true;
        try
        {
            registry.unregisterDomain(domainSlot);
        }
        catch (final RuntimeException | InternalError ex)
        {
            recordErrorQuietly(ex); // e.g. a damaged control segment: this process's own files still go below
        }
        delivery.close(context.livenessTimeoutNs());
        for (final DomainSegment peer : peers.values())
        {
            peer.close();
        }
        peers.clear();
        segment.close();
        try
        {
            registry.close();
        }
        catch (final RuntimeException | InternalError ex)
        {
            System.err.println("shmdma: closing the control segment of domain " + domainId() + " failed: " + ex);
        }
    }

    /** Records an error in the error log, or on stderr when the control segment itself is what fails. */
    private void recordErrorQuietly(final Throwable error)
    {
        try
        {
            recordError(error);
        }
        catch (final RuntimeException | InternalError ex)
        {
            System.err.println("shmdma: domain " + domainId() + ": " + error + " (and the error log failed: " +
                ex + ")");
        }
    }

    /** The application's error handler, whose failures go to the shared error log instead of up the stack. */
    private final class SafeErrorHandler implements ErrorHandler
    {
        private final ErrorHandler handler;

        private SafeErrorHandler(final ErrorHandler handler)
        {
            this.handler = handler;
        }

        @Override
        public void onError(final Throwable error)
        {
            try
            {
                handler.onError(error);
            }
            catch (final RuntimeException | Error ex)
            {
                try
                {
                    registry.errorLog().record(new IllegalStateException("the error handler threw on: " + error, ex));
                }
                catch (final RuntimeException | InternalError logFailure)
                {
                    System.err.println("shmdma: domain " + domainId() + ": the error handler threw " + ex + " on " +
                        error);
                }
            }
        }
    }
}
