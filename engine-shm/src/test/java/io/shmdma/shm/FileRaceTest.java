package io.shmdma.shm;

import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.DmaException;
import io.shmdma.OpFlags;
import io.shmdma.VchanConf;
import io.shmdma.engine.EngineThreading;
import io.shmdma.memory.DmaRegion;
import io.shmdma.shm.driver.DriverContext;
import io.shmdma.shm.driver.ShmDriver;
import io.shmdma.shm.file.ShmFiles;
import io.shmdma.shm.registry.Registry;
import io.shmdma.shm.registry.RegistryConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A member of the group of a group-shared directory replaces every new file in it, as fast as it can, by a
 * symbolic link or a hard link to a private (0600) file of this user outside the directory, while this process
 * creates rings (and hands them to a driver by name), domain segments and control segments there. The private file
 * must never be touched (content, size, permissions), and every creation either succeeds or fails with a
 * {@link DmaException} naming the file (or the driver's refusal).
 */
class FileRaceTest
{
    private static final int RECONFIGURATIONS = 400;
    private static final int VICTIM_LENGTH = 1 << 20;

    private final Map<String, String> messages = new TreeMap<>();
    private ShmTestDirectory dir;
    private Path shared;
    private Path victim;
    private byte[] victimBytes;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = new ShmTestDirectory();
        shared = dir.path().resolve("shared");
        final Path home = Files.createDirectory(dir.path().resolve("victim-home"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        victim = home.resolve("private.key");
        victimBytes = new byte[VICTIM_LENGTH];
        new Random(42).nextBytes(victimBytes);
        Files.write(victim, victimBytes);
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-------"));
    }

    @AfterEach
    void tearDown() throws Exception
    {
        dir.close();
    }

    /**
     * A ring file has a name only while it is created and mapped (at vchan setup) and, in driver mode, while a start
     * waits for the driver to map it by that name: the racer swaps the name in those windows. A start whose ring name
     * was swapped is refused by the driver (a symbolic link is not followed, a hard link has other names) or goes on
     * with the client's own file; either way the link's target is never touched and the name is gone afterwards.
     */
    @Test
    void shouldNeverTouchTheFileALinkPointsToWhileRingsAreCreatedAndHandedToTheDriver() throws Exception
    {
        try (ShmDomain domain = ShmDomain.open(DomainPair.context(shared, 64 << 10).groupShared(true)
            .engineMode(ShmContext.EngineMode.DRIVER).driverTimeoutNs(TimeUnit.SECONDS.toNanos(5)));
            ShmDriver driver = ShmDriver.launch(new DriverContext().dir(shared).groupShared(true)
                .engineThreads(1).idle("backoff")))
        {
            final DmaDevice device = domain.createDevice("race", EngineThreading.inline());
            final int groupId = device.accessPairGroupCreate(domain.domainId(), UUID.randomUUID(), null);
            final int self = device.accessPairGroupHandlerGet(groupId, domain.domainId());
            device.configure(new DmaConf(1, 0));
            final Path ring = shared.resolve("ring-" + domain.domainId() + "-race-0.shm");
            final DmaRegion source = domain.memory().allocate(4096);
            final DmaRegion target = domain.memory().allocate(4096);
            final Map<String, Integer> outcomes = new TreeMap<>();
            final long swaps;
            try (Racer racer = new Racer(() -> List.of(ring)))
            {
                for (int i = 0; i < RECONFIGURATIONS; i++)
                {
                    try
                    {
                        device.vchanSetup(0, VchanConf.interProcess(64, self, self));
                        outcomes.merge("setup ok", 1, Integer::sum);
                    }
                    catch (final DmaException ex)
                    {
                        assertTrue(ex.getMessage().contains(ring.toString()), ex.getMessage());
                        outcome(outcomes, "setup ", ex);
                        continue;
                    }
                    try
                    {
                        device.start();
                    }
                    catch (final DmaException ex)
                    {
                        assertTrue(ex.getMessage().contains(ring.toString()) ||
                            ex.getMessage().contains("refused device race"), ex.getMessage());
                        outcome(outcomes, "start ", ex);
                        continue;
                    }
                    source.buffer().setMemory(0, 4096, (byte)i);
                    assertTrue(device.copy(0, source.iova(), target.iova(), 4096, OpFlags.SUBMIT) >= 0);
                    assertTrue(ShmDriverTest.await(() -> device.completed(0, 1, null) == 1, 5_000),
                        "the job completes");
                    assertEquals((byte)i, target.buffer().getByte(4095), "the driver runs the client's own ring");
                    device.stop();
                    outcomes.merge("start ok", 1, Integer::sum);
                }
                swaps = racer.swaps();
            }
            report("rings", outcomes, swaps);
            // the racer swaps most names while a start waits (milliseconds): once it stopped, every start succeeds
            device.vchanSetup(0, VchanConf.interProcess(64, self, self));
            device.start();
            source.buffer().setMemory(0, 4096, (byte)0x5A);
            assertTrue(device.copy(0, source.iova(), target.iova(), 4096, OpFlags.SUBMIT) >= 0);
            assertTrue(ShmDriverTest.await(() -> device.completed(0, 1, null) == 1, 5_000), "the job completes");
            assertEquals(0x5A, target.buffer().getByte(4095), "the last ring works");
            device.stop();
            assertFalse(Files.exists(ring, LinkOption.NOFOLLOW_LINKS), "no ring name is left");
            assertTrue(ShmDriverTest.await(() -> driver.servedVchans() == 0, 5_000), "every vchan handed back");
        }
        assertVictimUntouched();
    }

    private void outcome(final Map<String, Integer> outcomes, final String when, final DmaException ex)
    {
        final String errno = when + io.shmdma.Errno.name(ex.errno());
        outcomes.merge(errno, 1, Integer::sum);
        messages.putIfAbsent(errno, ex.getMessage());
    }

    @Test
    void shouldNeverTouchTheFileALinkPointsToWhileDomainSegmentsAreCreated() throws Exception
    {
        ShmFiles.ensureDirectory(shared, true);
        final AtomicReference<Path> next = new AtomicReference<>();
        final Map<String, Integer> outcomes = new TreeMap<>();
        final long swaps;
        try (Racer racer = new Racer(() -> next.get() == null ? List.of() : List.of(next.get())))
        {
            for (int i = 0; i < RECONFIGURATIONS; i++)
            {
                final UUID id = UUID.randomUUID();
                final Path file = DomainSegmentDescriptor.file(shared, id);
                next.set(file);
                try (DomainSegment segment = DomainSegment.create(shared, id, 64 << 10, true))
                {
                    segment.memory().allocate(4096).buffer().setMemory(0, 4096, (byte)0x11);
                    outcomes.merge("ok", 1, Integer::sum);
                }
                catch (final DmaException ex)
                {
                    assertTrue(ex.getMessage().contains(file.toString()), ex.getMessage());
                    outcomes.merge(io.shmdma.Errno.name(ex.errno()), 1, Integer::sum);
                    messages.putIfAbsent(io.shmdma.Errno.name(ex.errno()), ex.getMessage());
                }
                ShmFiles.deleteQuietly(file);
            }
            swaps = racer.swaps();
        }
        report("domain segments", outcomes, swaps);
        assertTrue(outcomes.getOrDefault("ok", 0) > 0, "some creations succeeded: " + outcomes);
        assertVictimUntouched();
    }

    @Test
    void shouldNeverTouchTheFileALinkPointsToWhileControlSegmentsAreCreated() throws Exception
    {
        ShmFiles.ensureDirectory(shared, true);
        final Path control = shared.resolve(ShmDomain.CONTROL_FILE_NAME);
        final Map<String, Integer> outcomes = new TreeMap<>();
        final long swaps;
        try (Racer racer = new Racer(() -> controlFiles(control)))
        {
            for (int i = 0; i < RECONFIGURATIONS / 4; i++)
            {
                try (Registry registry = Registry.openOrCreate(control, new RegistryConfig().groupShared(true)))
                {
                    assertTrue(registry.domains().isEmpty());
                    outcomes.merge("ok", 1, Integer::sum);
                }
                catch (final DmaException ex)
                {
                    assertTrue(ex.getMessage().contains(control.toString()), ex.getMessage());
                    outcomes.merge(io.shmdma.Errno.name(ex.errno()), 1, Integer::sum);
                    messages.putIfAbsent(io.shmdma.Errno.name(ex.errno()), ex.getMessage());
                }
                ShmFiles.deleteQuietly(control);
            }
            swaps = racer.swaps();
        }
        report("control segments", outcomes, swaps);
        assertTrue(outcomes.getOrDefault("ok", 0) > 0, "some creations succeeded: " + outcomes);
        assertVictimUntouched();
    }

    private List<Path> controlFiles(final Path control)
    {
        final List<Path> files = new ArrayList<>();
        files.add(control);
        try (DirectoryStream<Path> temporaries = Files.newDirectoryStream(shared, ".control.shm.*"))
        {
            temporaries.forEach(files::add);
        }
        catch (final IOException ignore)
        {
            // the directory changes under the listing: next round
        }
        return files;
    }

    private void report(final String what, final Map<String, Integer> outcomes, final long swaps)
    {
        System.out.println("file race, " + what + ": " + outcomes + " with " + swaps + " files replaced by links");
        messages.forEach((errno, message) -> System.out.println("  first " + errno + ": " + message));
        assertTrue(swaps > 0, "the racer replaced files");
    }

    private void assertVictimUntouched() throws IOException
    {
        final PosixFileAttributes attributes =
            Files.readAttributes(victim, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        assertTrue(attributes.isRegularFile());
        assertEquals("rw-------", PosixFilePermissions.toString(attributes.permissions()), "victim permissions");
        assertEquals(VICTIM_LENGTH, attributes.size(), "victim size");
        assertTrue(Arrays.equals(victimBytes, Files.readAllBytes(victim)), "victim content");
    }

    /**
     * The attacker: replaces each target name that holds a regular file other than the victim by a symbolic link
     * to the victim, and every other time by a hard link to it, as fast as it can.
     */
    private final class Racer implements AutoCloseable
    {
        private final Thread thread;
        private final Supplier<List<Path>> targets;
        private volatile boolean running = true;
        private volatile long swaps;
        private volatile Throwable failure;

        Racer(final Supplier<List<Path>> targets)
        {
            this.targets = targets;
            thread = new Thread(this::run, "file-racer");
            thread.setDaemon(true);
            thread.start();
        }

        private void run()
        {
            try
            {
                final Object victimKey = Files.readAttributes(victim, PosixFileAttributes.class).fileKey();
                long count = 0;
                while (running)
                {
                    boolean swapped = false;
                    for (final Path target : targets.get())
                    {
                        if (target != null && swap(target, victimKey, (count & 1) == 0))
                        {
                            swaps = ++count;
                            swapped = true;
                        }
                    }
                    if (!swapped)
                    {
                        Thread.onSpinWait(); // the attacker spins on purpose: the window is microseconds wide
                    }
                }
            }
            catch (final Throwable ex)
            {
                failure = ex;
            }
        }

        private boolean swap(final Path target, final Object victimKey, final boolean symbolic)
        {
            try
            {
                final PosixFileAttributes attributes =
                    Files.readAttributes(target, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!attributes.isRegularFile() || victimKey.equals(attributes.fileKey()))
                {
                    return false;
                }
                Files.delete(target);
                if (symbolic)
                {
                    Files.createSymbolicLink(target, victim);
                }
                else
                {
                    Files.createLink(target, victim);
                }
                return true;
            }
            catch (final IOException ex)
            {
                return false; // gone or recreated meanwhile
            }
        }

        long swaps()
        {
            return swaps;
        }

        @Override
        public void close()
        {
            running = false;
            try
            {
                thread.join(10_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while stopping the racer", ex);
            }
            assertFalse(thread.isAlive(), "racer stopped");
            assertNull(failure, () -> "racer failed: " + failure);
        }
    }
}
