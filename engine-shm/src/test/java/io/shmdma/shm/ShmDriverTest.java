package io.shmdma.shm;

import io.shmdma.Completion;
import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.DmaException;
import io.shmdma.DmaStatus;
import io.shmdma.Errno;
import io.shmdma.OpFlags;
import io.shmdma.VchanConf;
import io.shmdma.VchanStatus;
import io.shmdma.engine.EngineThreading;
import io.shmdma.memory.DmaRegion;
import io.shmdma.shm.cli.ShmdmaCli;
import io.shmdma.shm.driver.DriverContext;
import io.shmdma.shm.driver.DriverFile;
import io.shmdma.shm.driver.DriverFileDescriptor;
import io.shmdma.shm.driver.ShmDriver;
import io.shmdma.shm.registry.ErrorLogEntry;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AtomicBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static io.shmdma.shm.driver.DriverFileDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Driver mode in one JVM: an embedded {@link ShmDriver} serves devices of domains opened in driver mode.
 */
class ShmDriverTest
{
    private static final long LIVENESS_NS = TimeUnit.MILLISECONDS.toNanos(300);
    private static final int LENGTH = 64 * 1024;

    private ShmTestDirectory dir;
    private ShmDriver driver;

    @BeforeEach
    void setUp() throws Exception
    {
        dir = new ShmTestDirectory();
    }

    @AfterEach
    void tearDown() throws Exception
    {
        CloseHelper.quietClose(driver);
        dir.close();
    }

    private ShmDriver launchDriver(final int engineThreads)
    {
        return ShmDriver.launch(new DriverContext().dir(dir.path()).engineThreads(engineThreads).idle("backoff")
            .livenessTimeoutNs(LIVENESS_NS));
    }

    private ShmContext driverMode()
    {
        return new ShmContext().dir(dir.path()).domainSegmentSize(4L << 20).livenessTimeoutNs(LIVENESS_NS)
            .conductorIntervalNs(TimeUnit.MILLISECONDS.toNanos(20)).engineMode(ShmContext.EngineMode.DRIVER)
            .driverTimeoutNs(TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void shouldCopyBetweenTwoDomainsThroughTheDriverAndFailJobsOfARevokedHandler()
    {
        driver = launchDriver(1);
        try (DomainPair pair = new DomainPair(driverMode(), driverMode()))
        {
            pair.creatorToJoiner();
            assertNull(pair.creatorDevice.engineInvoker(), "no engine runs in a driver-mode client");
            assertEquals(1, driver.servedVchans());
            final DmaRegion source = pair.creator.memory().allocate(LENGTH);
            final DmaRegion target = pair.joiner.memory().allocate(LENGTH);
            source.buffer().setMemory(0, LENGTH, (byte)0x5A);
            assertEquals(DmaStatus.SUCCESSFUL, pair.copy(source, target.iova(), LENGTH));
            assertEquals(0x5A, target.buffer().getByte(LENGTH - 1));
            assertEquals(VchanStatus.IDLE, pair.creatorDevice.vchanStatus(0));

            pair.joinerDevice.accessPairGroupLeave(pair.groupId);
            assertEquals(DmaStatus.INVALID_DST_ADDR, pair.copy(source, target.iova(), LENGTH),
                "the driver re-checks the pinned membership at every job");
            pair.creatorDevice.stop();
            assertTrue(await(() -> driver.servedVchans() == 0, 2_000), "stop hands the vchan back");
        }
    }

    @Test
    void shouldFailStartWithinTheTimeoutNamingTheDirectoryWhenNoDriverRuns()
    {
        try (ShmDomain domain = ShmDomain.open(driverMode().driverTimeoutNs(TimeUnit.MILLISECONDS.toNanos(200))))
        {
            final DmaDevice device = localDevice(domain, "nodriver");
            final long startNs = System.nanoTime();
            final DmaException ex = assertThrows(DmaException.class, device::start);
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            assertEquals(Errno.ETIMEDOUT, ex.errno());
            assertTrue(ex.getMessage().contains(dir.path().toString()), ex.getMessage());
            assertTrue(elapsedMs >= 190 && elapsedMs < 2_000, "gave up after " + elapsedMs + " ms");
            assertFalse(device.isStarted());
        }
    }

    @Test
    void shouldHaltVchansAndFailOutstandingJobsWhenTheDriverGoesThenServeAgainAfterARestart()
    {
        driver = launchDriver(1);
        try (ShmDomain domain = ShmDomain.open(driverMode()))
        {
            final DmaDevice device = localDevice(domain, "halted");
            device.start();
            final DmaRegion source = domain.memory().allocate(LENGTH);
            final DmaRegion target = domain.memory().allocate(LENGTH);
            assertEquals(DmaStatus.SUCCESSFUL, copy(device, source, target));

            driver.close();
            final int outstanding = device.copy(0, source.iova(), target.iova(), LENGTH, OpFlags.SUBMIT);
            assertTrue(outstanding >= 0 || outstanding == -Errno.EIO);
            assertTrue(await(() -> device.vchanStatus(0) == VchanStatus.HALTED_ERROR, 2_000),
                "the vchan halts within the liveness timeout");
            assertEquals(-Errno.EIO, device.copy(0, source.iova(), target.iova(), LENGTH, OpFlags.SUBMIT));
            if (outstanding >= 0)
            {
                final DmaStatus[] status = new DmaStatus[4];
                final Completion completion = new Completion();
                assertEquals(1, device.completedStatus(0, 4, completion, status), "the outstanding job ends");
                assertNotEquals(DmaStatus.SUCCESSFUL, status[0]);
            }
            assertTrue(await(() -> errorLogged(domain, "the engine serving this vchan is gone"), 2_000),
                "the error log says why");

            driver = launchDriver(1);
            device.stop();
            device.start();
            assertEquals(DmaStatus.SUCCESSFUL, copy(device, source, target), "a restarted driver serves it again");
            device.stop();
        }
    }

    @Test
    void shouldLeaveNoNameNorDescriptorOfARingOnceTheDriverTookItAcrossStopStartAndADriverRestart() throws Exception
    {
        driver = launchDriver(1);
        try (ShmDomain domain = ShmDomain.open(driverMode()))
        {
            final DmaDevice device = localDevice(domain, "unnamed");
            assertNoRingReachable("after vchan setup");
            final DmaRegion source = domain.memory().allocate(LENGTH);
            final DmaRegion target = domain.memory().allocate(LENGTH);
            for (int round = 1; round <= 2; round++)
            {
                device.start();
                assertNoRingReachable("start " + round);
                assertTrue(ringMappings(device.name()) >= 2, "the client and the driver map the ring (deleted)");
                source.buffer().setMemory(0, LENGTH, (byte)round);
                assertEquals(DmaStatus.SUCCESSFUL, copy(device, source, target), "start " + round + " copies");
                assertEquals(round, target.buffer().getByte(LENGTH - 1));
                device.stop();
            }
            final io.shmdma.DmaStats stats = device.stats(0);
            assertEquals(2, stats.submitted, "stats carry over the ring each start makes again");
            assertEquals(2, stats.completed);

            device.start();
            driver.close();
            assertTrue(await(() -> device.vchanStatus(0) == VchanStatus.HALTED_ERROR, 2_000), "the driver is gone");
            driver = launchDriver(1);
            device.stop();
            device.start();
            assertNoRingReachable("start after a driver restart");
            assertEquals(DmaStatus.SUCCESSFUL, copy(device, source, target), "a restarted driver serves a new ring");
            device.stop();
            assertNoRingReachable("stopped");
        }
    }

    @Test
    void shouldRefuseARingFileThatHasAnotherNameAndLeaveItUntouched() throws Exception
    {
        driver = launchDriver(1);
        try (ShmDomain domain = ShmDomain.open(driverMode()))
        {
            final byte[] content = new byte[64 * 1024];
            new java.util.Random(7).nextBytes(content);
            final Path victim = Files.write(dir.path().resolve("victim.key"), content);
            final String ringName = "ring-" + domain.domainId() + "-linked-0.shm";
            Files.createLink(dir.path().resolve(ringName), victim);
            final AtomicBuffer buffer = requestByHand(domain, "linked", ringName);
            final int slot = SLOT_COUNT - 1;
            assertTrue(await(() -> state(lvStateWord(buffer, slot)) == REFUSED, 2_000));
            assertEquals(Errno.EINVAL, buffer.getInt(slotOffset(slot) + SLOT_ERRNO_OFFSET));
            assertTrue(await(() -> errorLogged(domain, "has other names"), 2_000),
                () -> "the error log says why: " + domain.registry().errorLogEntries());
            assertArrayEquals(content, Files.readAllBytes(victim), "the file behind the hard link is untouched");
        }
    }

    /**
     * Writes a request for vchan 0 of a device into the driver file's last slot by hand, as a hostile or buggy
     * client could, bypassing {@code DriverClient}'s checks.
     *
     * @return the driver file's buffer.
     */
    private AtomicBuffer requestByHand(final ShmDomain domain, final String device, final String ringName)
    {
        final DriverFile file = DriverFile.openLive(dir.path(), LIVENESS_NS, TimeUnit.SECONDS.toNanos(5));
        final AtomicBuffer buffer = file.buffer();
        final int slot = SLOT_COUNT - 1;
        final long word = lvStateWord(buffer, slot);
        final int sequence = sequence(word) + 1;
        assertTrue(casStateWord(buffer, slot, word, stateWord(sequence, CLAIMING)));
        final int offset = slotOffset(slot);
        buffer.putInt(offset + SLOT_DOMAIN_SLOT_OFFSET, domain.domainSlot());
        buffer.putLong(offset + SLOT_DOMAIN_GENERATION_OFFSET, domain.registry().domainGeneration(domain.domainSlot()));
        buffer.putLong(offset + SLOT_DOMAIN_MSB_OFFSET, domain.domainId().getMostSignificantBits());
        buffer.putLong(offset + SLOT_DOMAIN_LSB_OFFSET, domain.domainId().getLeastSignificantBits());
        buffer.putInt(offset + SLOT_RING_LENGTH_OFFSET, 4096);
        putString(buffer, offset + SLOT_DEVICE_NAME_LENGTH_OFFSET, device, DEVICE_NAME_MAX_LENGTH);
        putString(buffer, offset + SLOT_RING_NAME_LENGTH_OFFSET, ringName, RING_NAME_MAX_LENGTH);
        assertTrue(casStateWord(buffer, slot, stateWord(sequence, CLAIMING), stateWord(sequence, REQUESTED)));
        return buffer;
    }

    /** No ring file of this directory has a name, and no descriptor of this JVM (client and driver) reaches one. */
    private void assertNoRingReachable(final String when) throws Exception
    {
        try (java.util.stream.Stream<Path> files = Files.list(dir.path()))
        {
            assertEquals(java.util.List.of(), files.map(file -> file.getFileName().toString())
                .filter(name -> name.startsWith("ring-")).toList(), when + ": no ring file has a name");
        }
        final java.util.List<String> ringDescriptors = new java.util.ArrayList<>();
        try (java.util.stream.Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd")))
        {
            for (final Path descriptor : descriptors.toList())
            {
                try
                {
                    final String target = Files.readSymbolicLink(descriptor).toString();
                    if (target.contains("/ring-"))
                    {
                        ringDescriptors.add(descriptor + " -> " + target);
                    }
                }
                catch (final java.io.IOException ex)
                {
                    // closed since listed (the listing's own descriptor)
                }
            }
        }
        assertEquals(java.util.List.of(), ringDescriptors, when + ": no open descriptor of a ring, which another " +
            "process of this user could reopen through /proc/<pid>/fd and truncate");
    }

    /** Mappings of this JVM (client and driver) of a device's ring files, which have no name left. */
    private long ringMappings(final String device) throws Exception
    {
        try (java.util.stream.Stream<String> maps = Files.lines(Path.of("/proc/self/maps")))
        {
            return maps.filter(line -> line.contains("/ring-") && line.contains("-" + device + "-0.shm (deleted)"))
                .count();
        }
    }

    @Test
    void shouldRefuseASecondDriverForTheSameDirectory()
    {
        driver = launchDriver(1);
        final DmaException ex = assertThrows(DmaException.class, () -> launchDriver(1));
        assertEquals(Errno.EEXIST, ex.errno());
    }

    @Test
    void shouldRefuseAForgedRequestAndKeepServing()
    {
        driver = launchDriver(2);
        try (ShmDomain domain = ShmDomain.open(driverMode()))
        {
            final String outside = "ring-" + domain.domainId() + "-/../../etc.shm";
            final AtomicBuffer buffer = requestByHand(domain, "forged", outside);
            final int slot = SLOT_COUNT - 1;
            final int offset = slotOffset(slot);
            assertTrue(await(() -> state(lvStateWord(buffer, slot)) == REFUSED, 2_000));
            assertEquals(Errno.EINVAL, buffer.getInt(offset + SLOT_ERRNO_OFFSET));
            final int sequence = sequence(lvStateWord(buffer, slot));
            buffer.putInt(offset + SLOT_RING_NAME_LENGTH_OFFSET, 1 << 20);
            assertTrue(casStateWord(buffer, slot, stateWord(sequence, REFUSED), stateWord(sequence + 1, REQUESTED)));
            assertTrue(await(() -> state(lvStateWord(buffer, slot)) == REFUSED, 2_000), "a length out of range");

            final DmaDevice device = localDevice(domain, "after-forgery");
            device.start();
            final DmaRegion source = domain.memory().allocate(LENGTH);
            final DmaRegion target = domain.memory().allocate(LENGTH);
            assertEquals(DmaStatus.SUCCESSFUL, copy(device, source, target));
            device.stop();
            assertTrue(errorLogged(domain, "refused device forged"));
        }
    }

    @Test
    void shouldStopTouchingAPeerSegmentTruncatedWhileTheDriverHadItMappedAndKeepServing() throws Exception
    {
        driver = launchDriver(1);
        try (DomainPair pair = new DomainPair(driverMode(), driverMode()))
        {
            pair.creatorToJoiner();
            final DmaRegion source = pair.creator.memory().allocate(4096);
            final DmaRegion target = pair.joiner.memory().allocate(4096);
            assertEquals(DmaStatus.SUCCESSFUL, pair.copy(source, target.iova(), 4096), "the driver mapped the peer");
            final Path joinerFile = DomainSegmentDescriptor.file(dir.path(), pair.joiner.domainId());
            try (FileChannel channel = FileChannel.open(joinerFile, StandardOpenOption.WRITE))
            {
                channel.truncate(DomainSegmentDescriptor.HEADER_LENGTH);
            }
            assertTrue(await(() -> errorLogged(pair.creator, "was truncated while mapped"), 10_000),
                "the driver noticed the truncation and said so in the shared error log");
            assertEquals(DmaStatus.INVALID_DST_ADDR, pair.copy(source, target.iova(), 4096),
                "a job to the truncated segment fails instead of raising SIGBUS in the driver");

            pair.creatorDevice.stop();
            pair.creatorDevice.vchanSetup(0, new VchanConf(64));
            pair.creatorDevice.start();
            final DmaRegion local = pair.creator.memory().allocate(4096);
            source.buffer().setMemory(0, 4096, (byte)0x3C);
            assertEquals(DmaStatus.SUCCESSFUL, pair.copy(source, local.iova(), 4096), "the driver still serves");
            assertEquals(0x3C, local.buffer().getByte(4095));
        }
    }

    @Test
    void shouldNeverLetCleanRemoveTheFilesOfALiveDriverButRemoveADeadDriversFile() throws Exception
    {
        driver = launchDriver(1);
        final Path control = dir.path().resolve(ShmDomain.CONTROL_FILE_NAME);
        final Path driverFile = dir.path().resolve(FILE_NAME);
        assertTrue(Files.exists(control) && Files.exists(driverFile));
        final String whileAlive = clean();
        assertTrue(whileAlive.contains("the live driver's"), whileAlive);
        assertTrue(Files.exists(control), "the live driver maps the control segment: " + whileAlive);
        assertTrue(Files.exists(driverFile), whileAlive);

        driver.close();
        driver = null;
        Files.write(driverFile, new byte[4096]); // what a SIGKILLed driver leaves: the file, no lock
        final Path foreign = Files.write(dir.path().resolve("notes.txt"), new byte[1]);
        final String afterDeath = clean();
        assertTrue(afterDeath.contains("left by a driver that is gone"), afterDeath);
        assertFalse(Files.exists(driverFile), afterDeath);
        assertTrue(Files.exists(foreign), "a file shmdma did not make stays: " + afterDeath);
    }

    @Test
    void shouldShowTheDriverInListAsTextAndJson()
    {
        try (ShmDomain embedded = ShmDomain.open(new ShmContext().dir(dir.path()).domainSegmentSize(1 << 20)))
        {
            final String without = cli("list");
            assertTrue(without.contains(embedded.domainId().toString()), without);
            assertFalse(without.contains("driver"), "no driver file, no driver line: " + without);
            assertTrue(cli("list", "--json").contains("\"driver\":null"));
        }
        driver = launchDriver(2);
        try (DomainPair pair = new DomainPair(driverMode(), driverMode()))
        {
            pair.creatorToJoiner();
            final String text = cli("list");
            assertTrue(text.contains("driver: pid " + ProcessHandle.current().pid() + ", ALIVE"), text);
            assertTrue(text.contains("2 engine thread(s), 1 of " + SLOT_COUNT + " vchan slots in use"), text);
            final String json = cli("list", "--json");
            assertTrue(json.contains("\"driver\":{\"pid\":" + ProcessHandle.current().pid() + ",\"alive\":true"), json);
            assertTrue(json.contains("\"engine_threads\":2,\"vchan_slots_in_use\":1}"), json);
        }
    }

    private String clean()
    {
        return cli("clean");
    }

    private String cli(final String... command)
    {
        final String[] args = java.util.Arrays.copyOf(command, command.length + 2);
        args[command.length] = "--dir";
        args[command.length + 1] = dir.path().toString();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        ShmdmaCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void shouldCheckTheLayoutOffsets()
    {
        assertEquals(16, VERSION_OFFSET);
        assertEquals(64, LIVENESS_TIMEOUT_OFFSET);
        assertEquals(128, INCARNATION_OFFSET);
        assertEquals(256, HEADER_LENGTH);
        assertEquals(104, SLOT_RING_NAME_LENGTH_OFFSET);
        assertTrue(SLOT_RING_NAME_OFFSET + RING_NAME_MAX_LENGTH <= SLOT_LENGTH);
        assertEquals(256 + 256 * 256, TOTAL_LENGTH);
        assertEquals("SHMDMADRV", new String(MARKER, StandardCharsets.US_ASCII));
        assertEquals(DriverFileDescriptor.FILE_NAME, file(dir.path()).getFileName().toString());
    }

    private static DmaDevice localDevice(final ShmDomain domain, final String name)
    {
        final DmaDevice device = domain.createDevice(name + "-" + UUID.randomUUID().toString().substring(0, 8),
            EngineThreading.inline());
        device.configure(new DmaConf(1, 0));
        device.vchanSetup(0, new VchanConf(64));
        return device;
    }

    private static DmaStatus copy(final DmaDevice device, final DmaRegion source, final DmaRegion target)
    {
        final int idx = device.copy(0, source.iova(), target.iova(), LENGTH, OpFlags.SUBMIT);
        assertTrue(idx >= 0, Errno.errorString(idx));
        final DmaStatus[] status = new DmaStatus[1];
        final Completion completion = new Completion();
        assertTrue(await(() -> device.completedStatus(0, 1, completion, status) == 1, 5_000), "job completes");
        return status[0];
    }

    private static boolean errorLogged(final ShmDomain domain, final String text)
    {
        for (final ErrorLogEntry entry : domain.registry().errorLogEntries())
        {
            if (entry.encodedError().contains(text))
            {
                return true;
            }
        }
        return false;
    }

    static boolean await(final BooleanSupplier condition, final long timeoutMs)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }
}
