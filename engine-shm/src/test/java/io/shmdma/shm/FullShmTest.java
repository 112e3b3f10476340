package io.shmdma.shm;

import io.shmdma.DmaConf;
import io.shmdma.DmaDevice;
import io.shmdma.DmaException;
import io.shmdma.Errno;
import io.shmdma.OpFlags;
import io.shmdma.VchanConf;
import io.shmdma.engine.EngineThreading;
import io.shmdma.memory.DmaRegion;
import io.shmdma.ring.RingDescriptor;
import io.shmdma.shm.registry.ControlSegmentDescriptor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A too-small or full {@code /dev/shm}, as a 2.5 MiB tmpfs mounted for the test (room for the control segment
 * and a small domain, not for a 1 MiB one; needs root or CAP_SYS_ADMIN;
 * skipped otherwise): every file that does not fit is refused when it is created, with ENOSPC naming the file
 * and the sizes, and everything already created keeps working, with no SIGBUS later, because its space was
 * reserved by writing it.
 */
class FullShmTest
{
    private static final long TMPFS_SIZE = 2560 << 10;

    private Path mountPoint;
    private boolean mounted;

    @BeforeEach
    void setUp() throws Exception
    {
        mountPoint = Files.createTempDirectory("shmdma-full-");
        mounted = run("mount", "-t", "tmpfs", "-o", "size=" + (TMPFS_SIZE >> 10) + "k,mode=0700", "tmpfs",
            mountPoint.toString());
        assumeTrue(mounted, "mounting a tmpfs is not permitted here");
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (mounted && !run("umount", mountPoint.toString()))
        {
            run("umount", "-l", mountPoint.toString());
        }
        try (Stream<Path> files = Files.walk(mountPoint))
        {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        }
    }

    private ShmContext context(final long segmentSize)
    {
        return new ShmContext().dir(mountPoint.resolve("shmdma")).domainSegmentSize(segmentSize)
            .conductorIntervalNs(TimeUnit.MILLISECONDS.toNanos(10));
    }

    @Test
    void shouldRefuseADomainSegmentThatDoesNotFitAtOpen() throws Exception
    {
        final UUID id = UUID.randomUUID();
        final long segmentSize = 1 << 20;
        final DmaException ex = assertThrows(DmaException.class,
            () -> ShmDomain.open(context(segmentSize).domainId(id)));
        final Path file = DomainSegmentDescriptor.file(mountPoint.resolve("shmdma"), id);
        assertEquals(Errno.ENOSPC, ex.errno(), ex.getMessage());
        assertTrue(ex.getMessage().contains(file.toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains(Long.toString(DomainSegmentDescriptor.HEADER_LENGTH + segmentSize)),
            "names the size asked for: " + ex.getMessage());
        assertTrue(ex.getMessage().contains("free"), "says what is free: " + ex.getMessage());
        assertFalse(Files.exists(file), "nothing left half-made");
        System.out.println("full tmpfs, domain segment: " + ex.getMessage());

        try (ShmDomain domain = ShmDomain.open(context(64 << 10)))
        {
            assertTrue(domain.registry().domains().stream().noneMatch(view -> view.domainId().equals(id)),
                "the refused domain was never registered");
            assertEquals(1, domain.registry().domains().size());
        }
    }

    @Test
    void shouldRefuseAControlSegmentThatDoesNotFitAtOpen() throws Exception
    {
        final Path filler = mountPoint.resolve("filler");
        fill(filler, TMPFS_SIZE - ControlSegmentDescriptor.TOTAL_LENGTH / 2);
        final DmaException ex = assertThrows(DmaException.class, () -> ShmDomain.open(context(4096)));
        assertEquals(Errno.ENOSPC, ex.errno(), ex.getMessage());
        final String controlFile = mountPoint.resolve("shmdma").resolve(ShmDomain.CONTROL_FILE_NAME).toString();
        assertTrue(ex.getMessage().contains(controlFile), ex.getMessage());
        assertTrue(ex.getMessage().contains(Integer.toString(ControlSegmentDescriptor.TOTAL_LENGTH)), ex.getMessage());
        try (Stream<Path> files = Files.list(mountPoint.resolve("shmdma")))
        {
            assertEquals(List.of(), files.toList(), "no control segment or temporary file is left");
        }
    }

    @Test
    void shouldRefuseARingThatDoesNotFitAndKeepEverythingElseWorkingOnAFullTmpfs() throws Exception
    {
        try (ShmDomain domain = ShmDomain.open(context(64 << 10)))
        {
            final DmaDevice device = domain.createDevice("full-shm", EngineThreading.inline());
            final int groupId = device.accessPairGroupCreate(domain.domainId(), UUID.randomUUID(), null);
            final int self = device.accessPairGroupHandlerGet(groupId, domain.domainId());
            device.configure(new DmaConf(2, 0));

            final int bigRing = RingDescriptor.ringLength(8192, 16);
            final DmaException tooBig = assertThrows(DmaException.class,
                () -> device.vchanSetup(0, VchanConf.interProcess(8192, self, self)));
            assertEquals(Errno.ENOSPC, tooBig.errno(), tooBig.getMessage());
            assertTrue(tooBig.getMessage().contains("ring-" + domain.domainId()), tooBig.getMessage());
            assertTrue(tooBig.getMessage().contains(Integer.toString(bigRing)), tooBig.getMessage());
            System.out.println("full tmpfs, ring: " + tooBig.getMessage());
            assertEquals(Errno.EINVAL, assertThrows(DmaException.class, device::start).errno(),
                "the refused vchan is not set up");

            device.vchanSetup(0, VchanConf.interProcess(64, self, self));
            final Path filler = mountPoint.resolve("filler");
            fill(filler, Files.getFileStore(mountPoint).getUsableSpace());
            assertEquals(0, Files.getFileStore(mountPoint).getUsableSpace(), "the tmpfs is full");

            final DmaException full = assertThrows(DmaException.class,
                () -> device.vchanSetup(1, VchanConf.interProcess(32, self, self)));
            assertEquals(Errno.ENOSPC, full.errno(), full.getMessage());
            assertEquals(Errno.ENOSPC, assertThrows(DmaException.class, () -> ShmDomain.open(context(4096))).errno(),
                "a second domain does not fit either");

            Files.delete(filler);
            device.vchanSetup(1, VchanConf.interProcess(32, self, self));
            fill(filler, Files.getFileStore(mountPoint).getUsableSpace());
            device.start();
            final DmaRegion source = domain.memory().allocate(32 << 10);
            final DmaRegion target = domain.memory().allocate(32 << 10);
            source.buffer().setMemory(0, 32 << 10, (byte)0x3C);
            for (int i = 0; i < 200; i++)
            {
                assertTrue(device.copy(0, source.iova(), target.iova(), 32 << 10, OpFlags.SUBMIT) >= 0);
                device.engineInvoker().invoke();
                assertEquals(1, device.completed(0, 1, null));
            }
            assertEquals(0x3C, target.buffer().getByte((32 << 10) - 1), "every page of the segment is backed");
            final int second = device.accessPairGroupCreate(domain.domainId(), UUID.randomUUID(), null);
            assertTrue(second >= 0, "the control segment is backed too");
            assertEquals(0, device.stats(0).errors);
            device.stop();
            device.accessPairGroupDestroy(second);
            device.accessPairGroupDestroy(groupId);
        }
    }

    private static void fill(final Path file, final long bytes) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE))
        {
            final ByteBuffer block = ByteBuffer.allocate(64 << 10);
            long written = channel.size();
            while (written < bytes)
            {
                block.clear().limit((int)Math.min(block.capacity(), bytes - written));
                try
                {
                    written += channel.write(block, written);
                }
                catch (final IOException full)
                {
                    return;
                }
            }
        }
    }

    private static boolean run(final String... command) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try
        {
            process.getInputStream().readAllBytes();
            return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
        }
        finally
        {
            process.destroyForcibly();
        }
    }
}
