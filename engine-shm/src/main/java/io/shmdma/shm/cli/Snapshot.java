package io.shmdma.shm.cli;

import io.shmdma.DmaException;
import io.shmdma.shm.driver.DriverStatus;
import io.shmdma.shm.registry.DeviceCountersView;
import io.shmdma.shm.registry.DeviceInfoView;
import io.shmdma.shm.registry.DomainState;
import io.shmdma.shm.registry.DomainView;
import io.shmdma.shm.registry.ErrorLogEntry;
import io.shmdma.shm.registry.GroupView;
import io.shmdma.shm.registry.MemberView;
import io.shmdma.shm.registry.RegionView;
import io.shmdma.shm.registry.Registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.CREATION_EPOCH_MS_OFFSET;
import static io.shmdma.shm.registry.ControlSegmentDescriptor.CREATOR_PID_OFFSET;
import static io.shmdma.shm.registry.ControlSegmentDescriptor.LAYOUT_VERSION_OFFSET;
import static io.shmdma.shm.registry.ControlSegmentDescriptor.TOTAL_LENGTH;

/**
 * What the CLI shows, read at one moment from a read-only registry: the control segment's header, domains,
 * their devices (counters and published information), groups with their members, and optionally the error log.
 * Liveness is judged by heartbeat age against the CLI's liveness timeout, as the registry does. Holds no token
 * and no token hash: the registry's views carry none.
 *
 * @param directory         the shmdma directory.
 * @param controlFile       the control segment file.
 * @param layoutVersion     the control segment's layout version.
 * @param createdEpochMs    when the control segment was created.
 * @param creatorPid        the pid that created it.
 * @param controlFileLength its length in bytes.
 * @param takenEpochMs      when this snapshot was taken.
 * @param livenessTimeoutNs heartbeats older than this are dead.
 * @param domains           the registered domains, by slot.
 * @param devices           every device with counters, by counters slot.
 * @param groups            the active groups.
 * @param regions           the published named regions, by region slot.
 * @param errors            the distinct errors, empty unless asked for.
 * @param driver            the directory's driver as its file shows it, null when there is no driver file or it
 *                          could not be read.
 * @param driverError       why the driver file could not be read, or null.
 */
record Snapshot(
    Path directory,
    Path controlFile,
    int layoutVersion,
    long createdEpochMs,
    long creatorPid,
    long controlFileLength,
    long takenEpochMs,
    long livenessTimeoutNs,
    List<Domain> domains,
    List<Device> devices,
    List<Group> groups,
    List<Region> regions,
    List<ErrorLogEntry> errors,
    DriverStatus driver,
    String driverError)
{
    /**
     * A registered domain.
     *
     * @param view    the registry's view.
     * @param alive   heartbeat within the liveness timeout and state ACTIVE.
     * @param devices its devices.
     */
    record Domain(DomainView view, boolean alive, List<Device> devices)
    {
    }

    /**
     * A device.
     *
     * @param counters its counters.
     * @param info     its published information, null when the slot was freed meanwhile.
     * @param owner    its domain, null when it could not be matched (freed meanwhile).
     * @param alive    whether its domain is alive.
     */
    record Device(DeviceCountersView counters, DeviceInfoView info, DomainView owner, boolean alive)
    {
    }

    /**
     * A member of a group.
     *
     * @param view   the registry's view (its membership token is never shown).
     * @param domain its domain, null when it could not be matched.
     * @param alive  whether its domain is alive.
     */
    record Member(MemberView view, DomainView domain, boolean alive)
    {
    }

    /**
     * An active group.
     *
     * @param view    the registry's view.
     * @param members its members, creator first.
     */
    record Group(GroupView view, List<Member> members)
    {
    }

    /**
     * A named region with its owner.
     *
     * @param view  the registry's view.
     * @param owner the owning domain, or null when it is no longer registered.
     * @param alive whether the owner is alive.
     */
    record Region(RegionView view, DomainView owner, boolean alive)
    {
    }

    /**
     * Reads a snapshot.
     *
     * @param registry          a registry, read-only for the CLI.
     * @param directory         the directory it is in.
     * @param livenessTimeoutNs heartbeats older than this are dead.
     * @param withErrors        whether to read the error log too.
     * @return the snapshot.
     */
    static Snapshot take(
        final Registry registry, final Path directory, final long livenessTimeoutNs, final boolean withErrors)
    {
        final List<DomainView> domainViews = registry.domains();
        final List<Device> devices = new ArrayList<>();
        for (final DeviceCountersView counters : registry.deviceCountersViews())
        {
            final DomainView owner = find(domainViews, counters.domainSlot(), counters.domainGeneration());
            devices.add(new Device(counters, registry.deviceInfo(counters.counterId()).orElse(null), owner,
                isAlive(owner, livenessTimeoutNs)));
        }
        final List<Domain> domains = new ArrayList<>();
        for (final DomainView view : domainViews)
        {
            final List<Device> own = new ArrayList<>();
            for (final Device device : devices)
            {
                if (device.owner() == view)
                {
                    own.add(device);
                }
            }
            domains.add(new Domain(view, isAlive(view, livenessTimeoutNs), List.copyOf(own)));
        }
        final List<Group> groups = new ArrayList<>();
        for (final GroupView group : registry.groups())
        {
            final List<Member> members = new ArrayList<>();
            for (final MemberView member : group.members())
            {
                final DomainView domain = find(domainViews, member.domainSlot(), member.domainGeneration());
                members.add(new Member(member, domain, null != domain ? isAlive(domain, livenessTimeoutNs) :
                    member.heartbeatAgeNs() <= livenessTimeoutNs));
            }
            groups.add(new Group(group, List.copyOf(members)));
        }
        final List<Region> regions = new ArrayList<>();
        for (final RegionView region : registry.regions())
        {
            final DomainView owner = find(domainViews, region.domainSlot(), region.domainGeneration());
            regions.add(new Region(region, owner, isAlive(owner, livenessTimeoutNs)));
        }
        DriverStatus driver = null;
        String driverError = null;
        try
        {
            driver = DriverStatus.read(directory, livenessTimeoutNs);
        }
        catch (final DmaException ex)
        {
            driverError = ex.getMessage();
        }
        final var buffer = registry.buffer();
        return new Snapshot(
            directory,
            registry.path(),
            buffer.getIntAcquire(LAYOUT_VERSION_OFFSET),
            buffer.getLong(CREATION_EPOCH_MS_OFFSET),
            buffer.getLong(CREATOR_PID_OFFSET),
            fileLength(registry.path()),
            System.currentTimeMillis(),
            livenessTimeoutNs,
            List.copyOf(domains),
            List.copyOf(devices),
            List.copyOf(groups),
            List.copyOf(regions),
            withErrors ? List.copyOf(registry.errorLogEntries()) : List.of(),
            driver,
            driverError);
    }

    /**
     * The domains whose heartbeat is within the liveness timeout.
     *
     * @return the live domains.
     */
    List<Domain> aliveDomains()
    {
        return domains.stream().filter(Domain::alive).toList();
    }

    /**
     * Milliseconds from nanoseconds, never negative (a heartbeat written just after the snapshot's clock read).
     *
     * @param ns nanoseconds.
     * @return milliseconds.
     */
    static long ageMs(final long ns)
    {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(ns));
    }

    private static boolean isAlive(final DomainView view, final long livenessTimeoutNs)
    {
        return null != view && view.state() == DomainState.ACTIVE && view.heartbeatAgeNs() <= livenessTimeoutNs;
    }

    private static DomainView find(final List<DomainView> domains, final int slot, final long generation)
    {
        for (final DomainView view : domains)
        {
            if (view.slot() == slot && view.generation() == generation)
            {
                return view;
            }
        }
        return null;
    }

    private static long fileLength(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            return TOTAL_LENGTH;
        }
    }
}
