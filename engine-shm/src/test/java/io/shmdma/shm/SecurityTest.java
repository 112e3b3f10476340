package io.shmdma.shm;

import io.shmdma.Completion;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.DmaException;
import io.shmdma.DmaStatus;
import io.shmdma.Errno;
import io.shmdma.VchanConf;
import io.shmdma.engine.EngineThreading;
import io.shmdma.memory.DmaRegion;
import io.shmdma.shm.registry.ErrorLogEntry;
import io.shmdma.shm.registry.GroupView;
import io.shmdma.shm.registry.Registry;
import jdk.jfr.Recording;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Security properties inside one JVM: a device moves bytes only of domains that are members of a group it
 * belongs to (foreign, guessed and revoked handlers are refused); wrong tokens are refused and lock a group's
 * joins for a while; a token never appears in a message, dump, toString, the error log, a JFR event or a file.
 */
class SecurityTest
{
    private static final int SEGMENT_SIZE = 1 << 20;

    private ShmTestDirectory dir;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = new ShmTestDirectory();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        dir.close();
    }

    @Test
    void shouldLeaveNoNameForAnotherProcessToOpenOrTruncateAnEmbeddedRing() throws Exception
    {
        try (ShmDomain domain = ShmDomain.open(new ShmContext().dir(dir.path()).domainSegmentSize(SEGMENT_SIZE)))
        {
            final DmaDevice device = domain.createDevice("private-ring", EngineThreading.inline());
            device.configure(new DmaConf(1, 0));
            device.vchanSetup(0, new VchanConf(64));
            device.start();
            try (Stream<Path> files = Files.list(dir.path()))
            {
                assertEquals(List.of(), files.map(file -> file.getFileName().toString())
                    .filter(name -> name.startsWith("ring-")).toList(),
                    "an embedded device's ring is mapped and its name removed: a truncation of the file (which would " +
                    "raise SIGBUS in this process's own calls) or a write by another process cannot reach it");
            }
            final DmaRegion source = domain.memory().allocate(4096);
            final DmaRegion target = domain.memory().allocate(4096);
            source.buffer().setMemory(0, 4096, (byte)0x6D);
            final int idx = device.copy(0, source.iova(), target.iova(), 4096, io.shmdma.OpFlags.SUBMIT);
            assertTrue(idx >= 0, Errno.errorString(idx));
            device.engineInvoker().invoke();
            final DmaStatus[] status = new DmaStatus[1];
            assertEquals(1, device.completedStatus(0, 1, new Completion(), status));
            assertEquals(DmaStatus.SUCCESSFUL, status[0]);
            assertEquals(0x6D, target.buffer().getByte(4095));
        }
    }

    @Test
    void shouldConfineADeviceToTheDomainsOfItsGroups() throws Exception
    {
        try (DomainPair mine = new DomainPair(dir.path(), SEGMENT_SIZE);
            DomainPair theirs = new DomainPair(dir.path(), SEGMENT_SIZE))
        {
            final DmaDevice device = mine.creatorDevice;
            device.configure(new DmaConf(1, 0));
            final int self = mine.creatorHandler;
            final Set<Integer> allowed = Set.of(mine.creatorHandler, mine.joinerHandler);
            for (final int foreign : new int[]{ theirs.creatorHandler, theirs.joinerHandler })
            {
                assertRefused(device, foreign, self, "handler of another group as source");
                assertRefused(device, self, foreign, "handler of another group as destination");
            }

            final long startNs = System.nanoTime();
            int refused = 0;
            for (int guess = 1; guess <= 0xFFFF; guess++)
            {
                if (allowed.contains(guess))
                {
                    continue;
                }
                final int handler = guess;
                final DmaException ex = assertThrows(DmaException.class,
                    () -> device.vchanSetup(0, VchanConf.interProcess(32, handler, self)), "guessed handler " + guess);
                assertEquals(Errno.EINVAL, ex.errno());
                if (guess % 257 == 0)
                {
                    assertRefused(device, self, guess, "guessed destination handler");
                }
                refused++;
            }
            System.out.printf("handler scan: %d guesses refused in %d ms%n", refused,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
            assertEquals(0xFFFF - allowed.size(), refused);

            final DmaDevice outsider = mine.creator.createDevice("security-outsider", EngineThreading.inline());
            outsider.configure(new DmaConf(1, 0));
            assertRefused(outsider, self, mine.joinerHandler, "a device of the same domain that is not a member");

            device.vchanSetup(0, VchanConf.interProcess(32, self, mine.joinerHandler));
            device.start();
            final DmaRegion source = mine.creator.memory().allocate(4096);
            final DmaRegion target = mine.joiner.memory().allocate(4096);
            assertEquals(DmaStatus.SUCCESSFUL, mine.copy(source, target.iova(), 4096));
            mine.joinerDevice.accessPairGroupLeave(mine.groupId);
            assertEquals(DmaStatus.INVALID_DST_ADDR, mine.copy(source, target.iova(), 4096),
                "a vchan set up before the revocation stops reaching the domain");
            device.stop();
            assertRefused(device, self, mine.joinerHandler, "revoked handler");

            mine.joinerDevice.accessPairGroupJoin(mine.joiner.domainId(), mine.token, mine.groupId, null);
            final int rejoined = device.accessPairGroupHandlerGet(mine.groupId, mine.joiner.domainId());
            assertNotEquals(mine.joinerHandler, rejoined, "a new membership gets a new handler");
            assertRefused(device, self, mine.joinerHandler, "the old handler stays revoked after a re-join");
            device.vchanSetup(0, VchanConf.interProcess(32, self, rejoined));
            device.start();
            assertEquals(DmaStatus.SUCCESSFUL, mine.copy(source, target.iova(), 4096));
            device.stop();
        }
    }

    private static void assertRefused(final DmaDevice device, final int src, final int dst, final String reason)
    {
        final DmaException ex = assertThrows(DmaException.class,
            () -> device.vchanSetup(0, VchanConf.interProcess(32, src, dst)), reason);
        assertEquals(Errno.EINVAL, ex.errno(), reason);
    }

    @Test
    void shouldRefuseWrongTokensAndLockJoinsOutForTheConfiguredTime() throws Exception
    {
        try (DomainPair pair = new DomainPair(dir.path(), SEGMENT_SIZE))
        {
            final int groupId = pair.creatorDevice.accessPairGroupCreate(pair.creator.domainId(), pair.token, null);
            final int otherGroup = pair.creatorDevice.accessPairGroupCreate(pair.creator.domainId(), pair.token, null);
            final DmaDevice joiner = pair.joinerDevice;
            final UUID self = pair.joiner.domainId();
            final int attempts = pair.creator.registry().config().joinLockoutAttempts();
            final long lockoutNs = pair.creator.registry().config().joinLockoutDurationNs();
            for (int i = 1; i < attempts; i++)
            {
                assertEquals(Errno.EACCES, assertThrows(DmaException.class,
                    () -> joiner.accessPairGroupJoin(self, UUID.randomUUID(), groupId, null)).errno(),
                    "wrong token " + i);
            }
            final long beforeLastWrongNs = System.nanoTime();
            assertEquals(Errno.EACCES, assertThrows(DmaException.class,
                () -> joiner.accessPairGroupJoin(self, UUID.randomUUID(), groupId, null)).errno());
            assertEquals(Errno.EACCES, assertThrows(DmaException.class,
                () -> joiner.accessPairGroupJoin(self, pair.token, groupId, null)).errno(),
                "the right token is refused while locked out");
            joiner.accessPairGroupJoin(self, pair.token, otherGroup, null);

            long joinedNs = 0;
            int refusedWhileLocked = 0;
            final long deadlineNs = beforeLastWrongNs + lockoutNs + TimeUnit.SECONDS.toNanos(5);
            while (joinedNs == 0)
            {
                try
                {
                    joiner.accessPairGroupJoin(self, pair.token, groupId, null);
                    joinedNs = System.nanoTime();
                }
                catch (final DmaException ex)
                {
                    assertEquals(Errno.EACCES, ex.errno());
                    refusedWhileLocked++;
                    assertTrue(System.nanoTime() - deadlineNs < 0, "the lockout never ended");
                    Thread.sleep(20);
                }
            }
            final long lockedForNs = joinedNs - beforeLastWrongNs;
            System.out.printf("join lockout: %d wrong tokens, joins refused for %d ms (configured %d ms), %d " +
                "refusals%n",
                attempts, TimeUnit.NANOSECONDS.toMillis(lockedForNs), TimeUnit.NANOSECONDS.toMillis(lockoutNs),
                refusedWhileLocked);
            assertTrue(lockedForNs >= lockoutNs, "joins were refused for the whole lockout");
            assertTrue(lockedForNs < lockoutNs + TimeUnit.SECONDS.toNanos(2), "and not much longer");
            assertTrue(pair.creator.registry().errorLogEntries().stream()
                .anyMatch(entry -> entry.encodedError().contains("locked out")), "the lockout is logged");
        }
    }

    @Test
    void shouldNeverRevealATokenInAnyTextEventOrFile() throws Exception
    {
        final UUID token = UUID.randomUUID();
        final byte[] planted = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN)
            .putLong(8, token.getLeastSignificantBits()).putLong(16, token.getMostSignificantBits()).array();
        assertThrows(AssertionFailedError.class, () -> TokenSearch.assertAbsent(token, planted, "planted"),
            "the search finds a planted little-endian token");
        assertThrows(AssertionFailedError.class, () -> TokenSearch.assertAbsent(token, "x" + token.toString()
            .toUpperCase(java.util.Locale.ROOT), "planted"), "the search finds a planted token string");
        final List<String> texts = new ArrayList<>();
        final Path jfr = Files.createTempFile("shmdma-security-", ".jfr");
        final ByteArrayOutputStream console = new ByteArrayOutputStream();
        final PrintStream originalOut = System.out;
        final PrintStream originalErr = System.err;
        final PrintStream capture = new PrintStream(console, true, StandardCharsets.UTF_8);
        final Set<Path> files = new HashSet<>();
        try (Recording recording = new Recording())
        {
            recording.enable("io.shmdma.AccessPairGroupOperation");
            recording.start();
            System.setOut(new TeeStream(originalOut, capture));
            System.setErr(new TeeStream(originalErr, capture));
            try (DomainPair pair = new DomainPair(dir.path(), SEGMENT_SIZE))
            {
                final int groupId = pair.creatorDevice.accessPairGroupCreate(pair.creator.domainId(), token, null);
                final UUID self = pair.joiner.domainId();
                for (int i = 0; i < 6; i++)
                {
                    texts.add(describe(assertThrows(DmaException.class,
                        () -> pair.joinerDevice.accessPairGroupJoin(self, UUID.randomUUID(), groupId, null))));
                }
                texts.add(describe(assertThrows(DmaException.class,
                    () -> pair.joinerDevice.accessPairGroupJoin(self, token, groupId, null))));
                texts.add(describe(assertThrows(DmaException.class,
                    () -> pair.creatorDevice.accessPairGroupJoin(pair.creator.domainId(), token, groupId, null))));
                texts.add(describe(assertThrows(DmaException.class,
                    () -> pair.joinerDevice.accessPairGroupCreate(UUID.randomUUID(), token, null))));
                texts.add(describe(assertThrows(DmaException.class,
                    () -> pair.joinerDevice.accessPairGroupJoin(self, token, 31_000, null))));
                pair.creatorToJoiner();
                final DmaRegion source = pair.creator.memory().allocate(4096);
                final DmaRegion target = pair.joiner.memory().allocate(4096);
                assertEquals(DmaStatus.SUCCESSFUL, pair.copy(source, target.iova(), 4096));
                for (final DmaDevice device : List.of(pair.creatorDevice, pair.joinerDevice))
                {
                    final ByteArrayOutputStream dump = new ByteArrayOutputStream();
                    device.dump(new PrintStream(dump, true, StandardCharsets.UTF_8));
                    texts.add(dump.toString(StandardCharsets.UTF_8));
                    texts.add(device.toString());
                    texts.add(device.info().toString());
                    texts.add(device.conf().toString());
                    texts.add(device.stats(DmaDevice.ALL_VCHAN).toString());
                }
                final Completion completion = new Completion();
                pair.creatorDevice.completed(0, 1, completion);
                texts.add(completion.toString());
                for (final ShmDomain domain : List.of(pair.creator, pair.joiner))
                {
                    final Registry registry = domain.registry();
                    texts.add(domain.context().toString());
                    texts.add(registry.toString());
                    texts.add(registry.config().toString());
                    registry.domains().forEach(view -> texts.add(view.toString()));
                    for (final GroupView group : registry.groups())
                    {
                        texts.add(group.toString());
                        group.members().forEach(member -> texts.add(member.toString()));
                    }
                    registry.deviceCountersViews().forEach(view -> texts.add(view.toString()));
                    registry.errorLogEntries().stream().map(ErrorLogEntry::toString).forEach(texts::add);
                    texts.add(registry.checkConsistency().toString());
                }
                assertTrue(texts.stream().anyMatch(text -> text.contains("locked out")), "the lockout was logged");
                try (Stream<Path> list = Files.list(dir.path()))
                {
                    list.forEach(files::add);
                }
                for (final Path file : files)
                {
                    TokenSearch.assertAbsent(token, Files.readAllBytes(file), "file " + file.getFileName());
                }
                pair.creatorDevice.stop();
                pair.creatorDevice.accessPairGroupDestroy(groupId);
            }
            finally
            {
                System.setOut(originalOut);
                System.setErr(originalErr);
            }
            recording.stop();
            recording.dump(jfr);
        }
        // an embedded device's ring has no name to read (it is unlinked once mapped); the segments and the control
        // segment are what another process can read
        assertTrue(files.stream().anyMatch(file -> file.getFileName().toString().startsWith("domain-")),
            files.toString());
        texts.add(console.toString(StandardCharsets.UTF_8));
        for (final String text : texts)
        {
            TokenSearch.assertAbsent(token, text, "text");
        }
        TokenSearch.assertAbsent(token, Files.readAllBytes(dir.path().resolve(ShmDomain.CONTROL_FILE_NAME)),
            "control segment after close");
        final byte[] recorded = Files.readAllBytes(jfr);
        assertTrue(new String(recorded, StandardCharsets.ISO_8859_1).contains("io.shmdma.AccessPairGroupOperation"),
            "the recording holds the group events");
        TokenSearch.assertAbsent(token, recorded, "JFR recording");
        Files.delete(jfr);
    }

    @Test
    void shouldRefuseADirectoryAnotherUserCouldHavePlanted() throws Exception
    {
        final Path worldWritable = Files.createDirectory(dir.path().resolve("world-writable"));
        Files.setPosixFilePermissions(worldWritable, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertRefusedDirectory(worldWritable, false, "other users");
        assertRefusedDirectory(worldWritable, true, "other users");

        final Path groupWritable = Files.createDirectory(dir.path().resolve("group-writable"));
        Files.setPosixFilePermissions(groupWritable, PosixFilePermissions.fromString("rwxrwx---"));
        assertRefusedDirectory(groupWritable, false, "its group");
        ShmDomain.open(DomainPair.context(groupWritable, 4096).groupShared(true)).close();

        final Path real = Files.createDirectory(dir.path().resolve("real"));
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwx------"));
        final Path link = Files.createSymbolicLink(dir.path().resolve("link"), real);
        assertRefusedDirectory(link, false, "symbolic link");
        ShmDomain.open(DomainPair.context(real, 4096)).close();

        final Path foreign = Files.createDirectory(dir.path().resolve("foreign"));
        Files.setPosixFilePermissions(foreign, PosixFilePermissions.fromString("rwx------"));
        try
        {
            Files.setOwner(foreign,
                foreign.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        }
        catch (final IOException | UnsupportedOperationException | SecurityException ex)
        {
            return; // cannot hand a directory to another user here (not root)
        }
        assertRefusedDirectory(foreign, false, "belongs to uid");
    }

    @Test
    void shouldRefuseAGroupSharedDirectoryOfAnotherUserUnlessRootOwnsItWithTheStickyBit() throws Exception
    {
        final Path foreign = Files.createDirectory(dir.path().resolve("foreign-shared"));
        Files.setPosixFilePermissions(foreign, PosixFilePermissions.fromString("rwxrwx---"));
        try
        {
            Files.setOwner(foreign,
                foreign.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
        }
        catch (final IOException | UnsupportedOperationException | SecurityException ex)
        {
            Assumptions.assumeTrue(false, "cannot hand a directory to another user here (not root)");
        }
        final int foreignUid = (Integer)Files.getAttribute(foreign, "unix:uid");
        final int ownUid = (Integer)Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        assertNotEquals(ownUid, foreignUid);
        assertRefusedDirectory(foreign, true, "belongs to uid " + foreignUid);

        chmod("1770", foreign);
        assertRefusedDirectory(foreign, true, "not a root-owned directory with the sticky bit");

        // the sticky bit admits only a root-owned directory; run as root here, root's own directory is simply ours
        final Path sticky = Files.createDirectory(dir.path().resolve("root-sticky"));
        chmod("1770", sticky);
        try (ShmDomain domain = ShmDomain.open(DomainPair.context(sticky, 4096).groupShared(true)))
        {
            assertEquals(sticky, domain.dir());
            assertEquals(01770, ((Integer)Files.getAttribute(sticky, "unix:mode")) & 07777, "left as it was");
        }
    }

    private static void chmod(final String mode, final Path path) throws Exception
    {
        final Process chmod = new ProcessBuilder("chmod", mode, path.toString()).inheritIO().start();
        assertTrue(chmod.waitFor(10, TimeUnit.SECONDS) && chmod.exitValue() == 0, "chmod " + mode + " " + path);
    }

    private static void assertRefusedDirectory(final Path directory, final boolean groupShared, final String why)
        throws IOException
    {
        final DmaException ex = assertThrows(DmaException.class,
            () -> ShmDomain.open(DomainPair.context(directory, 4096).groupShared(groupShared)), directory.toString());
        assertEquals(Errno.EACCES, ex.errno(), ex.getMessage());
        assertTrue(ex.getMessage().contains(directory.toString()) && ex.getMessage().contains(why), ex.getMessage());
        try (Stream<Path> files = Files.list(directory))
        {
            assertEquals(List.of(), files.toList(), "nothing was created in " + directory);
        }
    }

    private static String describe(final Throwable error)
    {
        final StringWriter text = new StringWriter();
        error.printStackTrace(new PrintWriter(text));
        return error.getMessage() + "\n" + error + "\n" + text;
    }

    /** Writes to two streams, so a test can capture the console and still show it. */
    private static final class TeeStream extends PrintStream
    {
        private final PrintStream second;

        TeeStream(final PrintStream first, final PrintStream second)
        {
            super(first, true, StandardCharsets.UTF_8);
            this.second = second;
        }

        @Override
        public void write(final int b)
        {
            super.write(b);
            second.write(b);
        }

        @Override
        public void write(final byte[] buf, final int off, final int len)
        {
            super.write(buf, off, len);
            second.write(buf, off, len);
        }
    }
}
