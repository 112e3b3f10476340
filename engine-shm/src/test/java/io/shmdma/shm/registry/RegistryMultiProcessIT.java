package io.shmdma.shm.registry;

import io.shmdma.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.LOCK_WORD_OFFSET;
import static io.shmdma.shm.registry.RegistryTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Real processes sharing one control segment: racing creation, SIGKILL while holding the lock, SIGKILL of a
 * joiner and of a creator.
 */
class RegistryMultiProcessIT
{
    private static final long LIVENESS_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(500);

    private final List<ChildJvm> children = new ArrayList<>();
    private final UUID token = UUID.randomUUID();
    private Path directory;
    private Path file;
    private Registry parent;

    @BeforeEach
    void setUp()
    {
        directory = newTempDirectory();
        file = directory.resolve("control.shm");
    }

    @AfterEach
    void tearDown()
    {
        for (final ChildJvm child : children)
        {
            child.close();
        }
        if (null != parent)
        {
            parent.close();
        }
        deleteRecursively(directory);
    }

    @Test
    void shouldShareOneSegmentWhenTwoProcessesCreateItAtTheSameMoment() throws Exception
    {
        final ChildJvm first = startChild();
        final ChildJvm second = startChild();
        for (int round = 0; round < 3; round++)
        {
            final Path fresh = directory.resolve("round-" + round).resolve("control.shm");
            final long startMs = System.currentTimeMillis() + 300;
            first.send("open-at " + startMs + " " + fresh + " " + LIVENESS_TIMEOUT_NS);
            second.send("open-at " + startMs + " " + fresh + " " + LIVENESS_TIMEOUT_NS);
            final boolean firstCreated = first.expect("opened").contains("created=true");
            final boolean secondCreated = second.expect("opened").contains("created=true");
            assertTrue(firstCreated ^ secondCreated, "exactly one process created the file in round " + round);

            assertTrue(first.callForInt("register " + UUID.randomUUID(), "slot") >= 0);
            assertTrue(second.callForInt("register " + UUID.randomUUID(), "slot") >= 0);
            assertEquals(2, first.callForInt("domains", "domains"));
            assertEquals(2, second.callForInt("domains", "domains"));
            try (Registry observer = Registry.openExisting(fresh, testConfig()))
            {
                assertEquals(2, observer.domains().size());
            }
            try (Stream<Path> files = Files.list(fresh.getParent()))
            {
                assertEquals(List.of(fresh), files.toList(), "one file, no temporary files left");
            }
            first.call("close", "closed");
            second.call("close", "closed");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"join:member-written", "destroy:state-destroying"})
    void shouldRecoverLockFromProcessKilledWhileHoldingIt(final String point) throws Exception
    {
        parent = Registry.openOrCreate(file, testConfig().livenessTimeoutNs(LIVENESS_TIMEOUT_NS));
        final UUID parentId = UUID.randomUUID();
        final int parentDomain = register(parent, parentId);
        final ChildJvm child = startChild();
        final long childIncarnation = openInChild(child);
        final UUID childId = UUID.randomUUID();
        final int childDomain = child.callForInt("register " + childId, "slot");
        child.call("heartbeat " + childDomain, "heartbeating");

        final int groupId;
        if (point.equals("join:member-written"))
        {
            groupId = parent.createGroup(parentDomain, token);
            child.call("pause-at " + point, "armed");
            child.send("join " + childDomain + " " + token + " " + groupId);
        }
        else
        {
            groupId = child.callForInt("create " + childDomain + " " + token, "rc");
            assertEquals(0, parent.joinGroup(parentDomain, token, groupId));
            child.call("pause-at " + point, "armed");
            child.send("unregister " + childDomain);
        }
        child.expect("paused " + point);
        assertEquals(childIncarnation, parent.buffer().getLongVolatile(LOCK_WORD_OFFSET), "the child holds the lock");
        assertEquals(1, parent.changeCount() & 1, "its mutation is half done");

        child.kill();
        final long startNs = System.nanoTime();
        assertEquals(List.of(), parent.checkConsistency());
        assertTrue(System.nanoTime() - startNs >= LIVENESS_TIMEOUT_NS, "the lock was taken over after the timeout");
        assertTrue(parent.errorLogEntries().stream().anyMatch(entry ->
            entry.encodedError().contains("taken over from dead holder pid " + child.pid())), "recovery logged");

        if (point.equals("join:member-written"))
        {
            assertEquals(List.of(parentId), memberIds(parent.group(groupId).orElseThrow()), "join rolled back");
            assertEquals(-Errno.ENOENT, parent.handlerGet(parentDomain, groupId, childId));
        }
        else
        {
            assertTrue(parent.group(groupId).isEmpty(), "destroy rolled forward");
            assertEquals(-Errno.ENOENT, parent.leaveGroup(parentDomain, groupId));
        }
        final List<ReapedDomain> reaped = awaitReaped(childId);
        assertEquals("domain-" + childId + ".shm", reaped.get(0).segmentFileName());
        assertEquals(List.of(), parent.checkConsistency());
        assertEquals(List.of(parentId), parent.domains().stream().map(DomainView::domainId).toList());
    }

    @Test
    void shouldReapKilledJoiner() throws Exception
    {
        parent = Registry.openOrCreate(file, testConfig().livenessTimeoutNs(LIVENESS_TIMEOUT_NS));
        final UUID parentId = UUID.randomUUID();
        final int parentDomain = register(parent, parentId);
        final int groupId = parent.createGroup(parentDomain, token);
        final ChildJvm child = startChild();
        openInChild(child);
        final UUID childId = UUID.randomUUID();
        final int childDomain = child.callForInt("register " + childId, "slot");
        child.call("heartbeat " + childDomain, "heartbeating");
        assertEquals(0, child.callForInt("join " + childDomain + " " + token + " " + groupId, "rc"));
        final int childHandler = parent.handlerGet(parentDomain, groupId, childId);
        assertTrue(parent.membershipToken(childHandler) != 0);
        assertEquals(childDomain, parent.handlerDomainSlot(childHandler));

        sleepMs(TimeUnit.NANOSECONDS.toMillis(LIVENESS_TIMEOUT_NS) + 100);
        assertEquals(List.of(), parent.reapDeadDomains(System.nanoTime()), "a heartbeating process is alive");

        child.kill();
        final List<ReapedDomain> reaped = awaitReaped(childId);
        assertEquals(childDomain, reaped.get(0).slot());
        assertEquals("domain-" + childId + ".shm", reaped.get(0).segmentFileName());
        assertEquals(List.of(parentId), memberIds(parent.group(groupId).orElseThrow()));
        assertEquals(0, parent.membershipToken(childHandler));
        assertEquals(-1, parent.handlerDomainSlot(childHandler));
        assertEquals(List.of(), parent.checkConsistency());
    }

    @Test
    void shouldDestroyGroupOfKilledCreatorAndReclaimItsSlot() throws Exception
    {
        parent = Registry.openOrCreate(file, testConfig().livenessTimeoutNs(LIVENESS_TIMEOUT_NS));
        final UUID parentId = UUID.randomUUID();
        final int parentDomain = register(parent, parentId);
        final ChildJvm child = startChild();
        openInChild(child);
        final UUID childId = UUID.randomUUID();
        final int childDomain = child.callForInt("register " + childId, "slot");
        child.call("heartbeat " + childDomain, "heartbeating");
        final int groupId = child.callForInt("create " + childDomain + " " + token, "rc");
        assertEquals(0, parent.joinGroup(parentDomain, token, groupId));
        final GroupView group = parent.group(groupId).orElseThrow();
        final int parentHandler = group.member(parentId).orElseThrow().handler();
        final int childHandler = group.member(childId).orElseThrow().handler();
        final long childGeneration = parent.domainGeneration(childDomain);

        child.kill();
        final List<ReapedDomain> reaped = awaitReaped(childId);
        assertEquals(childDomain, reaped.get(0).slot());
        assertTrue(parent.group(groupId).isEmpty(), "the dead creator's group is destroyed");
        assertEquals(List.of(), parent.groups());
        assertEquals(0, parent.membershipToken(parentHandler));
        assertEquals(0, parent.membershipToken(childHandler));
        assertEquals(-Errno.ENOENT, parent.joinGroup(parentDomain, token, groupId));
        assertTrue(parent.domain(childDomain).isEmpty(), "slot reclaimed");
        assertEquals(0, parent.domainGeneration(childDomain));

        final int reused = register(parent, UUID.randomUUID());
        assertEquals(childDomain, reused);
        assertEquals(childGeneration + 1, parent.domainGeneration(reused));
        assertEquals(List.of(), parent.checkConsistency());
    }

    private ChildJvm startChild() throws IOException
    {
        final ChildJvm child = new ChildJvm();
        children.add(child);
        return child;
    }

    private long openInChild(final ChildJvm child) throws InterruptedException
    {
        final String reply = child.call("open-at 0 " + file + " " + LIVENESS_TIMEOUT_NS, "opened created=false");
        final String incarnation = reply.substring(reply.indexOf("incarnation=") + "incarnation=".length());
        return Long.parseLong(incarnation.substring(0, incarnation.indexOf(' ')));
    }

    private List<ReapedDomain> awaitReaped(final UUID domainId)
    {
        final List<ReapedDomain> reaped = new ArrayList<>();
        awaitTrue(() ->
        {
            reaped.addAll(parent.reapDeadDomains(System.nanoTime()));
            return !reaped.isEmpty();
        }, 10_000, "domain " + domainId + " to be reaped");
        assertEquals(List.of(domainId), reaped.stream().map(ReapedDomain::domainId).toList());
        return reaped;
    }

    private static List<UUID> memberIds(final GroupView group)
    {
        return group.members().stream().map(MemberView::domainId).toList();
    }
}
