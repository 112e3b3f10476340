package io.shmdma.shm;

import io.shmdma.Errno;
import io.shmdma.shm.registry.DeviceCountersView;
import io.shmdma.shm.registry.Registry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * GC and scheduling pauses, made with SIGSTOP / SIGCONT of a member JVM: a member stopped for longer than the
 * liveness timeout is dead to the others, and finds out when it resumes; one stopped while it holds the registry
 * lock loses the lock to the others and, resumed, does not write into the registry they repaired.
 */
class LongPauseIT
{
    private static final long LIVENESS_MS = 300;
    private static final long LIVENESS_NS = TimeUnit.MILLISECONDS.toNanos(LIVENESS_MS);
    private static final long EVENT_TIMEOUT_MS = 10_000;
    private static final int MIB = 1 << 20;

    private PeerProcesses peers;
    private ShmTestDirectory dir;
    private Registry checker;

    @BeforeEach
    void setUp() throws Exception
    {
        peers = new PeerProcesses();
        dir = peers.dir();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (checker != null)
        {
            checker.close();
        }
        peers.close();
    }

    @Test
    void shouldTreatAStoppedJoinerAsDeadAndTellItWhenItResumes() throws Exception
    {
        final PeerHandle creator = peers.start("creator");
        final PeerHandle joiner = peers.start("joiner");
        final UUID creatorDomain = open(creator);
        final UUID joinerDomain = open(joiner);
        final UUID token = UUID.randomUUID();
        final int groupId = Integer.parseInt(creator.ok("create " + token));
        joiner.ok("join " + groupId + " " + token);
        checker = RegistryChecks.open(dir.path(), LIVENESS_NS);

        final long stoppedAt = System.nanoTime();
        joiner.sigstop();
        assertEquals("EVENT MEMBER_LEFT " + groupId + " " + joinerDomain, creator.nextEvent(EVENT_TIMEOUT_MS));
        final long detectedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
        RegistryChecks.await(() -> !RegistryChecks.registeredDomains(checker).contains(joinerDomain), 5_000,
            "the stopped joiner to be reaped");
        assertEquals(List.of(), RegistryChecks.problems(checker, Set.of(creatorDomain), 1));

        joiner.sigcont();
        assertEquals("EVENT MEMBER_LEFT " + groupId + " " + joinerDomain, joiner.nextEvent(EVENT_TIMEOUT_MS),
            "the resumed joiner hears that it left");
        awaitDeclaredDead(joiner);
        assertEquals(Errno.ESRCH, joiner.err("leave " + groupId));
        assertEquals(Errno.ESRCH, joiner.err("join " + groupId + " " + token));
        assertEquals(Errno.ESRCH, joiner.err("create " + token));
        assertEquals(List.of(), RegistryChecks.problems(checker, Set.of(creatorDomain), 1));

        joiner.ok("exit");
        assertTrue(joiner.process().waitFor(10, TimeUnit.SECONDS));
        creator.ok("destroy " + groupId);
        assertEquals(List.of(), RegistryChecks.problems(checker, Set.of(creatorDomain), 1));
        assertNull(creator.nextEvent(2 * LIVENESS_MS), "no second event");
        System.out.println("[faults] stopped joiner reported MEMBER_LEFT after " + detectedMs + " ms (liveness " +
            LIVENESS_MS + " ms)");
    }

    @Test
    void shouldTreatAStoppedCreatorAsDeadAndKeepItsCountersOffANewDevice() throws Exception
    {
        final PeerHandle creator = peers.start("creator");
        final PeerHandle joiner = peers.start("joiner");
        final UUID creatorDomain = open(creator);
        final UUID joinerDomain = open(joiner);
        final UUID token = UUID.randomUUID();
        final int groupId = Integer.parseInt(creator.ok("create " + token));
        joiner.ok("join " + groupId + " " + token);
        final String self = creator.ok("handler " + groupId + " " + creatorDomain);
        final String source = creator.ok("alloc 4096");
        final String target = creator.ok("alloc 4096");
        creator.ok("vchan " + self + " " + self);
        for (int i = 0; i < 5; i++)
        {
            assertEquals("SUCCESSFUL", creator.ok("copy " + source + " " + target + " 4096"));
        }
        checker = RegistryChecks.open(dir.path(), LIVENESS_NS);
        RegistryChecks.await(() -> checker.deviceCountersViews().stream().anyMatch(c -> c.submitted() == 5), 5_000,
            "the creator's counters to be published");

        creator.sigstop();
        assertEquals("EVENT GROUP_DESTROYED " + groupId + " " + creatorDomain, joiner.nextEvent(EVENT_TIMEOUT_MS));
        RegistryChecks.await(() -> !RegistryChecks.registeredDomains(checker).contains(creatorDomain), 5_000,
            "the stopped creator to be reaped");
        final PeerHandle newcomer = peers.start("newcomer");
        final UUID newcomerDomain = open(newcomer);
        assertEquals(List.of(), RegistryChecks.problems(checker, Set.of(joinerDomain, newcomerDomain), 1));

        creator.sigcont();
        assertEquals("EVENT GROUP_DESTROYED " + groupId + " " + creatorDomain, creator.nextEvent(EVENT_TIMEOUT_MS),
            "the resumed creator hears that its group is gone");
        awaitDeclaredDead(creator);
        assertEquals(Errno.ESRCH, creator.err("destroy " + groupId));
        assertEquals(Errno.ESRCH, creator.err("create " + token));
        Thread.sleep(3 * LIVENESS_MS / 10);
        creator.ok("exit");
        assertTrue(creator.process().waitFor(10, TimeUnit.SECONDS));

        final List<DeviceCountersView> counters = checker.deviceCountersViews();
        assertEquals(2, counters.size(), "the dead creator freed no one else's counters: " + counters);
        assertTrue(counters.stream().allMatch(c -> c.submitted() == 0), "nor wrote into them: " + counters);
        assertEquals(List.of(), RegistryChecks.problems(checker, Set.of(joinerDomain, newcomerDomain), 1));
        final int next = Integer.parseInt(newcomer.ok("create " + token));
        joiner.ok("join " + next + " " + token);
    }

    /**
     * The paused process holds the registry lock at the named point of a mutation when it is stopped.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "lock:acquired", "register:fields-written", "create:member-written", "join:member-written",
        "leave:handler-revoked", "destroy:state-destroying", "teardown:domain-dead" })
    void shouldRecoverTheLockOfAStoppedHolderAndRefuseItsWritesWhenItResumes(final String point) throws Exception
    {
        final PeerHandle survivor = peers.start("survivor");
        final PeerHandle paused = peers.start("paused");
        final UUID survivorDomain = open(survivor);
        final UUID token = UUID.randomUUID();
        final int survivorGroup = Integer.parseInt(survivor.ok("create " + token));
        checker = RegistryChecks.open(dir.path(), LIVENESS_NS);
        final String pausedOpen = "open " + dir + " " + LIVENESS_MS + " " + MIB;
        UUID pausedDomain = null;
        final String command;
        int pausedGroup = -1;
        switch (point)
        {
            case "register:fields-written":
                command = pausedOpen;
                break;
            case "lock:acquired":
            case "create:member-written":
                pausedDomain = UUID.fromString(paused.ok(pausedOpen));
                command = "create " + token;
                break;
            case "join:member-written":
                pausedDomain = UUID.fromString(paused.ok(pausedOpen));
                command = "join " + survivorGroup + " " + token;
                break;
            case "leave:handler-revoked":
                pausedDomain = UUID.fromString(paused.ok(pausedOpen));
                paused.ok("join " + survivorGroup + " " + token);
                command = "leave " + survivorGroup;
                break;
            case "destroy:state-destroying":
                pausedDomain = UUID.fromString(paused.ok(pausedOpen));
                pausedGroup = Integer.parseInt(paused.ok("create " + token));
                command = "destroy " + pausedGroup;
                break;
            default:
                pausedDomain = UUID.fromString(paused.ok(pausedOpen));
                pausedGroup = Integer.parseInt(paused.ok("create " + token));
                survivor.ok("join " + pausedGroup + " " + token);
                command = "exit";
                break;
        }
        final List<String> groupsBefore = groupIds();

        paused.ok("pause-at " + point + " 1 " + LIVENESS_MS);
        paused.write(command);
        final String pausedLine = paused.awaitPaused(EVENT_TIMEOUT_MS);
        assertNotNull(pausedLine, "reached " + point);
        paused.sigstop();

        final long stoppedAt = System.nanoTime();
        final int other = Integer.parseInt(survivor.ok("create " + token));
        final long takeoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stoppedAt);
        final UUID deadDomain = pausedDomain;
        RegistryChecks.await(() -> deadDomain == null ||
            !RegistryChecks.registeredDomains(checker).contains(deadDomain),
            5_000, "the stopped holder to be reaped");
        assertEquals(List.of(), RegistryChecks.problems(checker, Set.of(survivorDomain), 1), "after the takeover");
        survivor.ok("destroy " + other);
        final List<String> groupsAfterRepair = groupIds();

        paused.sigcont();
        final String reply = paused.awaitReply(command);
        if (point.equals("teardown:domain-dead"))
        {
            assertTrue(paused.process().waitFor(10, TimeUnit.SECONDS), "the resumed process finished closing");
        }
        else
        {
            assertTrue(reply.startsWith("ERR "), "the resumed holder's " + command.split(" ")[0] + " must fail: " +
                reply);
        }
        assertEquals(List.of(), RegistryChecks.problems(checker, Set.of(survivorDomain), 1), "after the resume");
        assertEquals(groupsAfterRepair, groupIds(), "the resumed holder changed no group");
        if (pausedDomain != null && !point.equals("teardown:domain-dead"))
        {
            awaitDeclaredDead(paused);
        }

        final int next = Integer.parseInt(survivor.ok("create " + token));
        final PeerHandle newcomer = peers.start("newcomer");
        final UUID newcomerDomain = open(newcomer);
        newcomer.ok("join " + next + " " + token);
        assertEquals(List.of(), RegistryChecks.problems(checker, Set.of(survivorDomain, newcomerDomain), 1));
        assertTrue(checker.errorLogEntries().stream().anyMatch(entry ->
            entry.encodedError().contains("taken over from dead holder pid " + paused.pid())), "takeover logged");
        System.out.println("[faults] " + point + ": lock taken over from the stopped holder in " + takeoverMs +
            " ms; groups before " + groupsBefore + ", after repair " + groupsAfterRepair + "; resumed reply: " + reply);
    }

    private static void awaitDeclaredDead(final PeerHandle peer) throws Exception
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!peer.ok("status").equals("dead=true"))
        {
            assertTrue(System.nanoTime() - deadlineNs < 0, "the resumed process never learnt it was declared dead");
            Thread.sleep(10);
        }
    }

    private List<String> groupIds()
    {
        return checker.groups().stream().map(group -> group.groupId() + ":" + group.members().size()).toList();
    }


    private UUID open(final PeerHandle peer) throws Exception
    {
        return UUID.fromString(peer.ok("open " + dir + " " + LIVENESS_MS + " " + MIB));
    }
}
