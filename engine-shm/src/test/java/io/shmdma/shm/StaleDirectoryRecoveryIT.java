package io.shmdma.shm;

import io.shmdma.shm.file.ShmFiles;
import io.shmdma.shm.registry.Registry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Restarting on a directory left behind: files of SIGKILLed processes are recovered by the next process that
 * opens it (dead owners found by their heartbeat, their segment files deleted; a segment that was never
 * registered because its owner died while opening is deleted too), while the files of live owners are shared,
 * never wiped.
 */
class StaleDirectoryRecoveryIT
{
    private static final long LIVENESS_MS = 300;
    private static final long LIVENESS_NS = TimeUnit.MILLISECONDS.toNanos(LIVENESS_MS);
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
    void shouldRecoverTheFilesOfKilledProcessesOnTheNextOpen() throws Exception
    {
        final List<PeerHandle> dead = leaveADirectoryOfKilledProcesses();
        Thread.sleep(LIVENESS_MS + 100);

        final long openStart = System.nanoTime();
        final PeerHandle next = peers.start("next");
        final UUID nextDomain = open(next);
        final long openMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - openStart);
        assertEquals(List.of(ShmDomain.CONTROL_FILE_NAME, "domain-" + nextDomain + ".shm"), files(),
            "open found every owner dead and deleted their files, the unregistered segment included");
        checker = RegistryChecks.open(dir.path(), LIVENESS_NS);
        assertEquals(List.of(), RegistryChecks.problems(checker, Set.of(nextDomain), 1));
        proveTheDirectoryWorks(next, nextDomain);
        System.out.println("[faults] stale directory of " + dead.size() + " killed processes recovered by the " +
            "next open in " + openMs + " ms (JVM start included)");
    }

    @Test
    void shouldRecoverTheFilesOfJustKilledProcessesOnceTheirHeartbeatIsStale() throws Exception
    {
        final PeerHandle next = peers.start("next");
        leaveADirectoryOfKilledProcesses();
        final long killedAt = System.nanoTime();
        final UUID nextDomain = open(next);
        RegistryChecks.await(() -> files().equals(List.of(ShmDomain.CONTROL_FILE_NAME, "domain-" + nextDomain +
            ".shm")), 10 * LIVENESS_MS, "the killed processes' files to be deleted");
        final long recoveredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        checker = RegistryChecks.open(dir.path(), LIVENESS_NS);
        assertEquals(List.of(), RegistryChecks.problems(checker, Set.of(nextDomain), 1));
        proveTheDirectoryWorks(next, nextDomain);
        System.out.println("[faults] directory of just-killed processes recovered " + recoveredMs +
            " ms after the kill (liveness " + LIVENESS_MS + " ms)");
    }

    @Test
    void shouldShareADirectoryWithLiveOwnersAndNeverWipeIt() throws Exception
    {
        final PeerHandle live = peers.start("live");
        final UUID liveDomain = open(live);
        final UUID token = UUID.randomUUID();
        final int groupId = Integer.parseInt(live.ok("create " + token));
        final String self = live.ok("handler " + groupId + " " + liveDomain);
        final String source = live.ok("alloc 65536");
        final String target = live.ok("alloc 65536");
        live.ok("vchan " + self + " " + self);
        live.ok("copyloop " + source + " " + target + " 65536");
        final List<String> liveFiles = files();
        final Object liveSegmentKey = fileKey("domain-" + liveDomain + ".shm");

        final PeerHandle opening = peers.start("opening");
        final PeerHandle newcomer = peers.start("newcomer");
        opening.ok("pause-at register:fields-written 1 " + (2 * LIVENESS_MS / 3));
        final String openCommand = "open " + dir + " " + LIVENESS_MS + " " + MIB;
        opening.write(openCommand);
        assertNotNull(opening.awaitPaused(10_000), "the second process is between its segment and its registration");
        final Path unregistered = files().stream().filter(name -> name.startsWith("domain-") &&
            !name.contains(liveDomain.toString())).map(dir.path()::resolve).findFirst().orElseThrow();
        assertFalse(ShmFiles.deleteIfUnlocked(unregistered), "the segment of a live process is never deleted");
        final UUID newcomerDomain = open(newcomer);
        final UUID openingDomain = UUID.fromString(opening.awaitReply(openCommand).substring(3));
        for (final String file : liveFiles)
        {
            assertTrue(files().contains(file), file + " of a live owner was kept");
        }
        assertEquals(liveSegmentKey, fileKey("domain-" + liveDomain + ".shm"), "the same file, not a new one");
        assertTrue(files().contains("domain-" + openingDomain + ".shm"), "the opening process's segment was kept");

        newcomer.ok("join " + groupId + " " + token);
        opening.ok("join " + groupId + " " + token);
        final String newcomerHandler = newcomer.ok("handler " + groupId + " " + newcomerDomain);
        final String newcomerSource = newcomer.ok("alloc 65536");
        final String crc = newcomer.ok("fill " + newcomerSource + " 65536 11");
        final String liveTarget = live.ok("alloc 65536");
        final String liveHandler = newcomer.ok("handler " + groupId + " " + liveDomain);
        newcomer.ok("vchan " + newcomerHandler + " " + liveHandler);
        assertEquals("SUCCESSFUL", newcomer.ok("copy " + newcomerSource + " " + liveTarget + " 65536"));
        assertEquals(crc, live.ok("crc " + liveTarget + " 65536"));

        final String[] copies = live.ok("copyloop-stop").split(" ");
        assertTrue(Integer.parseInt(copies[0]) > 0, "the live owner kept copying");
        assertEquals("0", copies[1], "and none of its copies failed");
        checker = RegistryChecks.open(dir.path(), LIVENESS_NS);
        assertEquals(List.of(), RegistryChecks.problems(checker, Set.of(liveDomain, newcomerDomain, openingDomain), 1));
        assertEquals(List.of(), RegistryChecks.strayFiles(dir.path(), Set.of(liveDomain, newcomerDomain,
            openingDomain)));
        System.out.println("[faults] live directory shared: " + copies[0] + " copies of the live owner while two " +
            "processes opened, none failed");
    }

    /** Three members with a group, rings and copies, and a fourth killed between its segment and registration. */
    private List<PeerHandle> leaveADirectoryOfKilledProcesses() throws Exception
    {
        final PeerHandle creator = peers.start("creator");
        final PeerHandle first = peers.start("first");
        final PeerHandle second = peers.start("second");
        final PeerHandle opening = peers.start("opening");
        final UUID creatorDomain = open(creator);
        final UUID firstDomain = open(first);
        final UUID secondDomain = open(second);
        final UUID token = UUID.randomUUID();
        final int groupId = Integer.parseInt(creator.ok("create " + token));
        first.ok("join " + groupId + " " + token);
        second.ok("join " + groupId + " " + token);
        final String creatorHandler = creator.ok("handler " + groupId + " " + creatorDomain);
        final String firstHandler = creator.ok("handler " + groupId + " " + firstDomain);
        final String source = creator.ok("alloc 65536");
        final String target = first.ok("alloc 65536");
        creator.ok("vchan " + creatorHandler + " " + firstHandler);
        assertEquals("SUCCESSFUL", creator.ok("copy " + source + " " + target + " 65536"));
        first.ok("vchan " + firstHandler + " " + creatorHandler);
        second.ok("vchan " + second.ok("handler " + groupId + " " + secondDomain) + " " + creatorHandler);
        opening.ok("pause-at register:fields-written 1 -1");
        opening.write("open " + dir + " " + LIVENESS_MS + " " + MIB);
        assertNotNull(opening.awaitPaused(10_000), "the fourth process holds the lock in its open");

        final List<PeerHandle> killed = List.of(creator, first, second, opening);
        for (final PeerHandle peer : killed)
        {
            peer.kill();
        }
        final List<String> left = files();
        // embedded rings lose their names once mapped, so a killed process leaves only its domain segment
        assertTrue(left.stream().filter(name -> name.startsWith("domain-")).count() == 4 &&
            left.stream().noneMatch(name -> name.startsWith("ring-")), "files left behind: " + left);
        return killed;
    }

    private static void proveTheDirectoryWorks(final PeerHandle next, final UUID nextDomain) throws Exception
    {
        final UUID token = UUID.randomUUID();
        final int groupId = Integer.parseInt(next.ok("create " + token));
        final String self = next.ok("handler " + groupId + " " + nextDomain);
        next.ok("vchan " + self + " " + self);
        final String source = next.ok("alloc 4096");
        next.ok("fill " + source + " 4096 3");
        assertEquals("SUCCESSFUL", next.ok("copy " + source + " " + next.ok("alloc 4096") + " 4096"));
        next.ok("destroy " + groupId);
    }

    private List<String> files()
    {
        try (Stream<Path> files = Files.list(dir.path()))
        {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private Object fileKey(final String name) throws Exception
    {
        return Files.readAttributes(dir.path().resolve(name), BasicFileAttributes.class).fileKey();
    }


    private UUID open(final PeerHandle peer) throws Exception
    {
        return UUID.fromString(peer.ok("open " + dir + " " + LIVENESS_MS + " " + MIB));
    }
}
