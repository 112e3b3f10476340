package io.shmdma.shm.cli;

import io.shmdma.shm.ShmDomain;
import io.shmdma.shm.driver.DriverFileDescriptor;
import io.shmdma.shm.file.ShmFiles;
import io.shmdma.shm.registry.DomainView;
import io.shmdma.shm.registry.ProcessLiveness;
import io.shmdma.shm.registry.Registry;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code shmdma clean}: removes a directory once every domain registered in it is dead, or, while any is alive,
 * only the files of the dead ones. A domain counts as alive when its heartbeat is within the liveness timeout
 * or, unless pids are ignored, when a process with its pid still runs (so a process configured with a longer
 * timeout than the CLI's is not mistaken for dead). Only files shmdma makes are removed (the control segment,
 * domain segments, rings, leftover temporary control files); the directory itself only once empty. Just before
 * the control segment goes, the registry is read again and the clean is abandoned if anything changed.
 */
final class DirectoryCleaner
{
    private static final String DOMAIN_PREFIX = "domain-";
    private static final String RING_PREFIX = "ring-";
    private static final String SUFFIX = ".shm";
    private static final int UUID_LENGTH = 36;

    /**
     * A file the clean removes or keeps.
     *
     * @param file  the file.
     * @param bytes its length, -1 when unknown.
     * @param what  what it is, for people.
     */
    record Entry(Path file, long bytes, String what)
    {
    }

    /**
     * A domain that keeps the directory.
     *
     * @param view   the domain.
     * @param reason why it counts as alive.
     */
    record AliveDomain(DomainView view, String reason)
    {
    }

    /**
     * What the clean did or, in a dry run, would do.
     *
     * @param dryRun           nothing was removed.
     * @param alive            domains that count as alive; non-empty means the directory was kept.
     * @param removed          files removed (or to be removed).
     * @param kept             files kept that shmdma did not make.
     * @param failures         files that could not be removed, with the reason.
     * @param directoryRemoved whether the directory was removed (or would be).
     * @param abandoned        non-null when the registry changed during the clean, saying how.
     */
    record Result(
        boolean dryRun,
        List<AliveDomain> alive,
        List<Entry> removed,
        List<Entry> kept,
        List<String> failures,
        boolean directoryRemoved,
        String abandoned)
    {
        /**
         * Whether the directory is gone (or would be) and nothing failed.
         *
         * @return true on full success.
         */
        boolean complete()
        {
            return alive.isEmpty() && failures.isEmpty() && null == abandoned && directoryRemoved;
        }
    }

    private DirectoryCleaner()
    {
    }

    /**
     * Cleans a directory.
     *
     * @param registry   its control segment, read-only.
     * @param snapshot   a snapshot of it.
     * @param dryRun     list only.
     * @param ignorePids judge liveness by heartbeat alone.
     * @return what was done.
     * @throws IOException when the directory cannot be listed.
     */
    static Result clean(
        final Registry registry, final Snapshot snapshot, final boolean dryRun, final boolean ignorePids)
        throws IOException
    {
        final long changeCount = registry.changeCount();
        final List<AliveDomain> alive = aliveDomains(snapshot, ignorePids);
        final Map<UUID, DomainView> deadDomains = new HashMap<>();
        for (final Snapshot.Domain domain : snapshot.domains())
        {
            if (alive.stream().noneMatch(a -> a.view() == domain.view()))
            {
                deadDomains.put(domain.view().domainId(), domain.view());
            }
        }

        final List<Entry> removable = new ArrayList<>();
        final List<Entry> kept = new ArrayList<>();
        Entry control = null;
        final Path dir = snapshot.directory();
        final boolean driverAlive = ShmFiles.isLocked(dir.resolve(DriverFileDescriptor.FILE_NAME));
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir))
        {
            for (final Path file : entries)
            {
                final String name = file.getFileName().toString();
                final long bytes = Files.isRegularFile(file) ? Files.size(file) : -1;
                final UUID owner = ownerOf(name);
                if (name.equals(ShmDomain.CONTROL_FILE_NAME))
                {
                    control = new Entry(file, bytes, "control segment");
                }
                else if (name.equals(DriverFileDescriptor.FILE_NAME))
                {
                    if (driverAlive)
                    {
                        kept.add(new Entry(file, bytes, "the live driver's (it holds the file's lock)"));
                    }
                    else
                    {
                        removable.add(new Entry(file, bytes, "left by a driver that is gone"));
                    }
                }
                else if (null != owner && deadDomains.containsKey(owner))
                {
                    final DomainView view = deadDomains.get(owner);
                    removable.add(new Entry(file, bytes, (name.startsWith(RING_PREFIX) ? "ring" : "segment") +
                        " of dead domain " + owner + " (pid " + view.pid() + ")"));
                }
                else if (!alive.isEmpty())
                {
                    continue; // while anything lives, only dead domains' files go
                }
                else if (null != owner)
                {
                    removable.add(new Entry(file, bytes, (name.startsWith(RING_PREFIX) ? "ring" : "segment") +
                        " of unregistered domain " + owner));
                }
                else if (name.startsWith("." + ShmDomain.CONTROL_FILE_NAME + ".") && name.endsWith(".tmp") &&
                    bytes >= 0)
                {
                    removable.add(new Entry(file, bytes, "unfinished control segment"));
                }
                else
                {
                    kept.add(new Entry(file, bytes, "not made by shmdma"));
                }
            }
        }
        removable.sort((a, b) -> a.file().compareTo(b.file()));
        kept.sort((a, b) -> a.file().compareTo(b.file()));
        final boolean wholeDirectory = alive.isEmpty() && !driverAlive; // a live driver maps the control segment
        if (wholeDirectory && null != control)
        {
            removable.add(control);
        }
        if (dryRun)
        {
            return new Result(true, alive, removable, kept, List.of(), wholeDirectory && kept.isEmpty(), null);
        }

        final List<Entry> removed = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
        for (final Entry entry : removable)
        {
            if (entry == control)
            {
                final String changed = changedSince(registry, changeCount, snapshot, ignorePids);
                if (null != changed)
                {
                    return new Result(false, alive, removed, kept, failures, false, changed);
                }
            }
            if (entry.file().getFileName().toString().equals(DriverFileDescriptor.FILE_NAME) &&
                !ShmFiles.deleteIfUnlocked(entry.file()))
            {
                failures.add("kept " + entry.file() + ": a driver started meanwhile");
                continue;
            }
            try
            {
                Files.deleteIfExists(entry.file());
                removed.add(entry);
            }
            catch (final IOException ex)
            {
                failures.add("cannot remove " + entry.file() + ": " + ex.getMessage());
            }
        }
        boolean directoryRemoved = false;
        if (wholeDirectory && kept.isEmpty() && failures.isEmpty())
        {
            try
            {
                Files.delete(dir);
                directoryRemoved = true;
            }
            catch (final IOException ex)
            {
                failures.add("cannot remove " + dir + ": " + ex);
            }
        }
        return new Result(false, alive, removed, kept, failures, directoryRemoved, null);
    }

    private static List<AliveDomain> aliveDomains(final Snapshot snapshot, final boolean ignorePids)
    {
        final List<AliveDomain> alive = new ArrayList<>();
        for (final Snapshot.Domain domain : snapshot.domains())
        {
            final DomainView view = domain.view();
            if (view.heartbeatAgeNs() <= snapshot.livenessTimeoutNs())
            {
                alive.add(new AliveDomain(view, "heartbeat " + Formats.ageMs(view.heartbeatAgeNs()) + " old"));
            }
            else if (!ignorePids && ProcessLiveness.isRunning(view.pid()))
            {
                alive.add(new AliveDomain(view, "heartbeat " + Formats.ageMs(view.heartbeatAgeNs()) +
                    " old, but pid " + view.pid() + " still runs (--ignore-pids judges by heartbeat alone)"));
            }
        }
        return alive;
    }

    private static String changedSince(
        final Registry registry, final long changeCount, final Snapshot before, final boolean ignorePids)
    {
        final Snapshot now = Snapshot.take(registry, before.directory(), before.livenessTimeoutNs(), false);
        if (registry.changeCount() != changeCount || now.domains().size() != before.domains().size())
        {
            return "the registry changed during the clean (a process started?)";
        }
        if (!aliveDomains(now, ignorePids).isEmpty())
        {
            return "a domain came alive during the clean";
        }
        return null;
    }

    /**
     * The domain a file belongs to, from its name.
     *
     * @param name a file name.
     * @return the domain of {@code domain-<uuid>.shm} or {@code ring-<uuid>-...shm}, else null.
     */
    static UUID ownerOf(final String name)
    {
        final String prefix = name.startsWith(DOMAIN_PREFIX) ? DOMAIN_PREFIX :
            name.startsWith(RING_PREFIX) ? RING_PREFIX : null;
        if (null == prefix || !name.endsWith(SUFFIX) || name.length() < prefix.length() + UUID_LENGTH + SUFFIX.length())
        {
            return null;
        }
        final String rest = name.substring(prefix.length() + UUID_LENGTH);
        if (prefix.equals(DOMAIN_PREFIX) ? !rest.equals(SUFFIX) : !rest.startsWith("-"))
        {
            return null;
        }
        try
        {
            return UUID.fromString(name.substring(prefix.length(), prefix.length() + UUID_LENGTH));
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }
}
