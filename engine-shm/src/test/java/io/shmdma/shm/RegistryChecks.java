package io.shmdma.shm;

import io.shmdma.shm.registry.DomainState;
import io.shmdma.shm.registry.DomainView;
import io.shmdma.shm.registry.GroupView;
import io.shmdma.shm.registry.MemberView;
import io.shmdma.shm.registry.Registry;
import io.shmdma.shm.registry.RegistryConfig;
import org.agrona.concurrent.AtomicBuffer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Whole-registry invariants for the fault tests, read by the test JVM through its own mapping of the control
 * segment: {@link Registry#checkConsistency()} plus the accounting the registry cannot check by itself (exactly
 * the live domains, no group without a live creator, one handler entry per member, no leaked counters, no stray
 * files).
 */
final class RegistryChecks
{
    private RegistryChecks()
    {
    }

    /**
     * Maps the control segment of a directory, as a checker with no domain of its own.
     */
    static Registry open(final Path dir, final long livenessTimeoutNs)
    {
        return Registry.openExisting(dir.resolve(ShmDomain.CONTROL_FILE_NAME),
            new RegistryConfig().livenessTimeoutNs(livenessTimeoutNs).lockTimeoutNs(TimeUnit.SECONDS.toNanos(20)));
    }

    /**
     * Every violated invariant, given the domains that should be registered (the live processes).
     *
     * @param registry     the checker's registry.
     * @param liveDomains  the domains of the processes alive now, none of them paused.
     * @param devicesEach  devices opened by each live domain.
     * @return the problems; empty when all hold.
     */
    static List<String> problems(final Registry registry, final Set<UUID> liveDomains, final int devicesEach)
    {
        final List<String> problems = new ArrayList<>(registry.checkConsistency());
        final List<DomainView> domains = registry.domains();
        final Set<UUID> registered = new TreeSet<>();
        final Set<Integer> liveSlots = new HashSet<>();
        for (final DomainView domain : domains)
        {
            if (!registered.add(domain.domainId()))
            {
                problems.add("domain " + domain.domainId() + " registered twice");
            }
            if (domain.state() != DomainState.ACTIVE)
            {
                problems.add("domain " + domain.domainId() + " in state " + domain.state());
            }
            liveSlots.add(domain.slot());
        }
        if (!registered.equals(new TreeSet<>(liveDomains)))
        {
            problems.add("registered domains " + registered + " are not the live ones " + new TreeSet<>(liveDomains));
        }

        int members = 0;
        final Set<Integer> handlers = new HashSet<>();
        for (final GroupView group : registry.groups())
        {
            if (!liveDomains.contains(group.creatorDomainId()))
            {
                problems.add("group " + group.groupId() + " has creator " + group.creatorDomainId() + ", not alive");
            }
            final Set<UUID> groupMembers = new HashSet<>();
            for (final MemberView member : group.members())
            {
                members++;
                if (!liveDomains.contains(member.domainId()) || !groupMembers.add(member.domainId()))
                {
                    problems.add("group " + group.groupId() + " member " + member.domainId() + " is dead or twice");
                }
                if (!handlers.add(member.handler()))
                {
                    problems.add("handler " + member.handler() + " given to two members");
                }
            }
        }
        final AtomicBuffer buffer = registry.buffer();
        int handlerEntries = 0;
        for (int handler = 0; handler <= MAX_HANDLER; handler++)
        {
            if (buffer.getIntVolatile(handlerOffset(handler)) != 0)
            {
                handlerEntries++;
            }
        }
        if (handlerEntries != members)
        {
            problems.add(handlerEntries + " handler entries for " + members + " members");
        }

        int counters = 0;
        for (int counterId = 0; counterId < DEVICE_COUNTERS_CAPACITY; counterId++)
        {
            final int offset = deviceCountersOffset(counterId);
            if (buffer.getIntVolatile(offset + COUNTERS_STATE_OFFSET) == COUNTERS_IN_USE)
            {
                counters++;
                if (!liveSlots.contains(buffer.getInt(offset + COUNTERS_DOMAIN_SLOT_OFFSET)))
                {
                    problems.add("device counters " + counterId + " of a dead domain");
                }
            }
        }
        if (devicesEach >= 0 && counters != devicesEach * liveDomains.size())
        {
            problems.add(counters + " device counters in use for " + liveDomains.size() + " domains");
        }
        return problems;
    }

    /**
     * Error log chunks still claimed by a process that no longer exists: one that died before it registered a
     * domain (nothing reaps it); such a chunk is claimed again when every other chunk is taken.
     */
    static int chunksOfDeadProcesses(final Registry registry)
    {
        final AtomicBuffer buffer = registry.buffer();
        int chunks = 0;
        for (int chunk = 0; chunk < ERROR_LOG_CHUNK_COUNT; chunk++)
        {
            final int offset = errorLogDirectoryOffset(chunk);
            if (buffer.getIntVolatile(offset + CHUNK_STATE_OFFSET) == CHUNK_IN_USE &&
                !ProcessHandle.of(buffer.getLong(offset + CHUNK_OWNER_PID_OFFSET)).map(ProcessHandle::isAlive)
                    .orElse(false))
            {
                chunks++;
            }
        }
        return chunks;
    }

    /**
     * The shmdma files of a directory that belong to no registered domain: domain segments and rings of domains
     * that are gone.
     */
    static List<String> strayFiles(final Path dir, final Set<UUID> liveDomains)
    {
        final Set<String> live = liveDomains.stream().map(UUID::toString).collect(Collectors.toSet());
        try (Stream<Path> files = Files.list(dir))
        {
            return files.map(file -> file.getFileName().toString())
                .filter(name -> !name.equals(ShmDomain.CONTROL_FILE_NAME))
                .filter(name -> !(name.startsWith("domain-") || name.startsWith("ring-")) ||
                    name.length() < 41 || !live.contains(name.substring(name.indexOf('-') + 1, name.indexOf('-') + 37)))
                .sorted()
                .toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Waits, with a bounded backoff, until a condition holds.
     */
    static void await(final BooleanSupplier condition, final long timeoutMs, final String what)
    {
        await(condition, timeoutMs, () -> what);
    }

    /**
     * Waits, with a bounded backoff, until a condition holds; the description is built only on failure.
     */
    static void await(final BooleanSupplier condition, final long timeoutMs, final Supplier<String> what)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        long sleepMs = 1;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out after " + timeoutMs + " ms waiting for " + what.get());
            }
            try
            {
                Thread.sleep(sleepMs);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what.get());
            }
            sleepMs = Math.min(20, sleepMs * 2);
        }
    }

    /**
     * The ids of the registered domains.
     */
    static Set<UUID> registeredDomains(final Registry registry)
    {
        return registry.domains().stream().map(DomainView::domainId).collect(Collectors.toSet());
    }
}
