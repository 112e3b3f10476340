package io.shmdma.shm.registry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static io.shmdma.shm.registry.RegistryTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Joins and leaves from two "processes" (two registries, one thread each) while a reader resolves handlers on
 * the lock-free data path and takes snapshots: a handler never resolves to another membership, a revoked
 * handler never comes back, and every snapshot is whole.
 */
class RegistryConcurrencyTest
{
    private static final int MAX_CYCLES_PER_WRITER = 5_000;
    private static final int READS_WANTED = 1_000;

    private final UUID token = UUID.randomUUID();
    private final List<Registry> registries = new ArrayList<>();
    private Path directory;

    @BeforeEach
    void setUp()
    {
        directory = newTempDirectory();
    }

    @AfterEach
    void tearDown()
    {
        registries.forEach(Registry::close);
        deleteRecursively(directory);
    }

    @Test
    void shouldKeepHandlersAndSnapshotsConsistentUnderConcurrentJoinsAndLeaves() throws Exception
    {
        final Registry creatorProcess = open();
        final UUID creatorId = UUID.randomUUID();
        final int creator = register(creatorProcess, creatorId);
        final int groupId = creatorProcess.createGroup(creator, token);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicInteger writersRunning = new AtomicInteger(2);
        final AtomicInteger reads = new AtomicInteger();
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> threads = new ArrayList<>();

        for (int writer = 0; writer < 2; writer++)
        {
            final Registry process = open();
            final int domain = register(process, UUID.randomUUID());
            final long[] membership = new long[1];
            // a raw registry user takes departures itself: this writer acknowledges all while its leave waits
            process.onBackPressure(() -> process.acknowledgeDepartures(domain, groupId, membership[0], Long.MAX_VALUE));
            threads.add(new Thread(() -> guard(failure, () ->
            {
                start.await();
                try
                {
                    for (int cycle = 0;
                        cycle < MAX_CYCLES_PER_WRITER && reads.get() < READS_WANTED && null == failure.get();
                        cycle++)
                    {
                        assertEquals(0, process.joinGroup(domain, token, groupId,
                            group -> membership[0] = group.members().stream()
                                .filter(member -> member.domainSlot() == domain).findFirst().orElseThrow()
                                .membershipToken()));
                        assertEquals(0, process.leaveGroup(domain, groupId));
                    }
                }
                finally
                {
                    writersRunning.decrementAndGet();
                }
            }), "writer-" + writer));
        }

        final Map<Integer, Long> tokenByHandler = new HashMap<>();
        final Set<Integer> revoked = new HashSet<>();
        threads.add(new Thread(() -> guard(failure, () ->
        {
            start.await();
            while (writersRunning.get() > 0 && null == failure.get())
            {
                final GroupView group = creatorProcess.group(groupId).orElseThrow();
                assertEquals(creatorId, group.members().get(0).domainId(), "creator first in every snapshot");
                creatorProcess.acknowledgeDepartures(creator, groupId, group.members().get(0).membershipToken(),
                    group.departureCount());
                assertTrue(group.members().size() <= 3, "at most creator and two joiners");
                for (final MemberView member : group.members())
                {
                    final Long previous = tokenByHandler.putIfAbsent(member.handler(), member.membershipToken());
                    assertTrue(null == previous || previous == member.membershipToken(), "one token per handler");
                    assertFalse(revoked.contains(member.handler()), "a revoked handler came back in a snapshot");
                }
                for (final Map.Entry<Integer, Long> entry : tokenByHandler.entrySet())
                {
                    final long now = creatorProcess.membershipToken(entry.getKey());
                    if (0 == now)
                    {
                        revoked.add(entry.getKey());
                    }
                    else
                    {
                        assertEquals((long)entry.getValue(), now, "handler resolved to another membership");
                        assertFalse(revoked.contains(entry.getKey()), "a revoked handler resolved again");
                    }
                }
                reads.incrementAndGet();
                Thread.yield();
            }
        }), "reader"));

        threads.forEach(Thread::start);
        start.countDown();
        for (final Thread thread : threads)
        {
            thread.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(thread.isAlive(), thread.getName() + " did not finish");
        }
        if (null != failure.get())
        {
            fail(failure.get());
        }
        assertEquals(List.of(creatorId), creatorProcess.group(groupId).orElseThrow().members().stream()
            .map(MemberView::domainId).toList());
        assertEquals(List.of(), creatorProcess.checkConsistency());
        assertTrue(tokenByHandler.size() > 1, "the reader saw joiners");
    }

    private Registry open()
    {
        final Registry registry = Registry.openOrCreate(directory.resolve("control.shm"), testConfig());
        registries.add(registry);
        return registry;
    }

    private static void guard(final AtomicReference<Throwable> failure, final ThrowingRunnable body)
    {
        try
        {
            body.run();
        }
        catch (final Throwable ex)
        {
            failure.compareAndSet(null, ex);
        }
    }

    @FunctionalInterface
    private interface ThrowingRunnable
    {
        void run() throws Exception;
    }
}
