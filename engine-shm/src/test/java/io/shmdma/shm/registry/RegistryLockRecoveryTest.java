package io.shmdma.shm.registry;

import io.shmdma.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;
import static io.shmdma.shm.registry.RegistryTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Simulates, in one JVM, a holder that dies in the middle of a mutation: the pause hook throws at a named
 * point (leaving the mutation half done), then the lock word is set back to the dead holder's incarnation.
 * The survivor must take the lock over after the liveness timeout and repair the tables.
 */
class RegistryLockRecoveryTest
{
    private static final long DEAD_INCARNATION = 0xDEADL;

    private final UUID token = UUID.randomUUID();
    private Path directory;
    private Registry survivor;
    private Registry victim;
    private int survivorDomain;
    private int victimDomain;
    private UUID victimId;

    @BeforeEach
    void setUp()
    {
        directory = newTempDirectory();
        survivor = Registry.openOrCreate(directory.resolve("control.shm"), testConfig());
        victim = Registry.openOrCreate(directory.resolve("control.shm"), testConfig());
        survivorDomain = register(survivor, UUID.randomUUID());
        victimId = UUID.randomUUID();
        victimDomain = register(victim, victimId);
    }

    @AfterEach
    void tearDown()
    {
        FencedWriter.pauseHook = null;
        victim.close();
        survivor.close();
        deleteRecursively(directory);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "join:member-written", "create:member-written", "leave:handler-revoked", "destroy:state-destroying",
        "register:fields-written", "teardown:domain-dead" })
    void shouldRepairMutationLeftHalfDoneByDeadHolder(final String point)
    {
        final int survivorGroup = survivor.createGroup(survivorDomain, token);
        final int victimGroup = victim.createGroup(victimDomain, token);
        assertEquals(0, survivor.joinGroup(survivorDomain, token, victimGroup));
        if (point.equals("leave:handler-revoked"))
        {
            assertEquals(0, victim.joinGroup(victimDomain, token, survivorGroup));
        }

        dieAt(point, () ->
        {
            switch (point)
            {
                case "join:member-written" -> victim.joinGroup(victimDomain, token, survivorGroup);
                case "create:member-written" -> victim.createGroup(victimDomain, token);
                case "leave:handler-revoked" -> victim.leaveGroup(victimDomain, survivorGroup);
                case "destroy:state-destroying" -> victim.unregisterDomain(victimDomain);
                case "register:fields-written" -> victim.registerDomain(UUID.randomUUID(), "half.shm", 1);
                case "teardown:domain-dead" -> victim.unregisterDomain(victimDomain);
                default -> fail(point);
            }
        });
        final List<String> problems = new ArrayList<>();
        survivor.checkTables(problems);
        if (!point.equals("register:fields-written"))
        {
            assertFalse(problems.isEmpty(), "the simulated death left something half done");
        }

        final long startNs = System.nanoTime();
        assertEquals(List.of(), survivor.checkConsistency(), "repaired when the lock was taken over");
        assertTrue(System.nanoTime() - startNs >= TEST_LIVENESS_TIMEOUT_NS, "waited out the liveness timeout");
        assertTrue(survivor.errorLogEntries().stream()
            .anyMatch(entry -> entry.encodedError().contains("taken over from dead holder")));
        assertEquals(1, survivor.buffer().getInt(LOCK_RECOVERIES_OFFSET));
        assertEquals(0, survivor.changeCount() & 1, "change count even again");

        switch (point)
        {
            case "join:member-written" ->
                assertEquals(-Errno.ENOENT, survivor.handlerGet(survivorDomain, survivorGroup, victimId),
                    "rolled back");
            case "create:member-written" -> assertEquals(2, survivor.groups().size(), "rolled back");
            case "leave:handler-revoked" ->
                assertEquals(-Errno.ENOENT, survivor.handlerGet(survivorDomain, survivorGroup, victimId),
                    "rolled forward");
            case "destroy:state-destroying", "teardown:domain-dead" ->
            {
                assertTrue(survivor.group(victimGroup).isEmpty(), "rolled forward");
                assertEquals(DomainState.DEAD, survivor.domain(victimDomain).orElseThrow().state(), "awaits reap");
                final List<ReapedDomain> reaped = survivor.reapDeadDomains(System.nanoTime());
                assertEquals(List.of(victimId), reaped.stream().map(ReapedDomain::domainId).toList());
                assertEquals("domain-" + victimId + ".shm", reaped.get(0).segmentFileName());
                assertTrue(survivor.domain(victimDomain).isEmpty());
            }
            case "register:fields-written" -> assertEquals(2, survivor.domains().size(), "never published");
            default -> fail(point);
        }
        assertEquals(1, survivor.group(survivorGroup).orElseThrow().members().size());
    }

    @Test
    void shouldTakeOverLockOfHolderWhoseHeartbeatStopped()
    {
        victim.buffer().putLongVolatile(LOCK_WORD_OFFSET, victim.incarnation());
        final long startNs = System.nanoTime();
        assertTrue(survivor.createGroup(survivorDomain, token) >= 0);
        assertTrue(System.nanoTime() - startNs >= TEST_LIVENESS_TIMEOUT_NS);
        assertEquals(0, survivor.buffer().getLongVolatile(LOCK_WORD_OFFSET));
    }

    @Test
    void shouldWaitForLiveHolderAndTimeOut() throws Exception
    {
        final RegistryConfig patient = testConfig()
            .livenessTimeoutNs(TimeUnit.SECONDS.toNanos(10))
            .lockTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300));
        try (Registry waiter = Registry.openOrCreate(directory.resolve("control.shm"), patient))
        {
            final int waiterDomain = register(waiter, UUID.randomUUID());
            victim.buffer().putLongVolatile(LOCK_WORD_OFFSET, victim.incarnation());
            assertEquals(-Errno.ETIMEDOUT, waiter.createGroup(waiterDomain, token), "a live holder is waited for");
            victim.buffer().putLongVolatile(LOCK_WORD_OFFSET, 0);
            assertTrue(waiter.createGroup(waiterDomain, token) >= 0);
        }
    }

    @Test
    void shouldWaitForHolderInAnotherThreadAndThenProceed() throws Exception
    {
        final int groupId = survivor.createGroup(survivorDomain, token);
        final java.util.concurrent.CountDownLatch paused = new java.util.concurrent.CountDownLatch(1);
        final java.util.concurrent.CountDownLatch resume = new java.util.concurrent.CountDownLatch(1);
        FencedWriter.pauseHook = point ->
        {
            if (point.equals("join:member-written"))
            {
                paused.countDown();
                try
                {
                    resume.await();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
        };
        final Thread joiner = new Thread(() -> victim.joinGroup(victimDomain, token, groupId));
        joiner.start();
        assertTrue(paused.await(5, TimeUnit.SECONDS));
        FencedWriter.pauseHook = null;
        final long changeCount = survivor.changeCount();
        assertEquals(1, changeCount & 1, "a mutation is running");
        final Thread releaser = new Thread(() ->
        {
            sleepMs(50);
            resume.countDown();
        });
        releaser.start();
        assertEquals(2, survivor.group(groupId).orElseThrow().members().size(), "snapshot waits for the mutation");
        joiner.join(5_000);
        releaser.join(5_000);
        assertEquals(List.of(), survivor.checkConsistency());
    }

    private void dieAt(final String point, final Runnable mutation)
    {
        armDeath(point);
        try
        {
            mutation.run();
            fail("the mutation did not reach " + point);
        }
        catch (final SimulatedDeath expected)
        {
            // the holder "died" with the mutation half done
        }
        finally
        {
            FencedWriter.pauseHook = null;
        }
        victim.buffer().putLongVolatile(LOCK_WORD_OFFSET, DEAD_INCARNATION);
    }

    private static void armDeath(final String point)
    {
        FencedWriter.pauseHook = reached ->
        {
            if (reached.equals(point))
            {
                FencedWriter.pauseHook = null;
                throw new SimulatedDeath();
            }
        };
    }

    private static final class SimulatedDeath extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
    }
}
