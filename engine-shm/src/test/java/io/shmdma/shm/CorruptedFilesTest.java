package io.shmdma.shm;

import io.shmdma.DmaException;
import io.shmdma.DmaStatus;
import io.shmdma.Errno;
import io.shmdma.VchanConf;
import io.shmdma.memory.DmaRegion;
import io.shmdma.shm.registry.ControlSegmentDescriptor;
import io.shmdma.shm.registry.ErrorLogEntry;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static io.shmdma.shm.DomainSegmentDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Corrupt files are refused with a message naming the file, are never written or extended, and never crash the
 * process: a control segment met by {@link ShmDomain#open}, a peer's domain segment met at vchan setup, and a
 * peer's segment truncated after it was validated and mapped.
 */
class CorruptedFilesTest
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
    void shouldRefuseACorruptControlSegmentAtOpenWithoutWritingIt() throws Exception
    {
        final Path template = dir.path().resolve("template");
        ShmDomain.open(DomainPair.context(template, SEGMENT_SIZE)).close();
        final byte[] valid = Files.readAllBytes(template.resolve(ShmDomain.CONTROL_FILE_NAME));
        assertEquals(ControlSegmentDescriptor.TOTAL_LENGTH, valid.length);

        final Random random = new Random(1);
        final Map<String, UnaryOperator<byte[]>> corruptions = new LinkedHashMap<>();
        corruptions.put("wrong marker", bytes -> set(bytes, 0, (byte)'X'));
        corruptions.put("wrong version", bytes -> putInt(bytes, ControlSegmentDescriptor.LAYOUT_VERSION_OFFSET, 99));
        corruptions.put("negative version", bytes -> putInt(bytes, ControlSegmentDescriptor.LAYOUT_VERSION_OFFSET, -1));
        corruptions.put("wrong capacity", bytes -> putInt(bytes, ControlSegmentDescriptor.GROUP_CAPACITY_FIELD_OFFSET,
            1 << 30));
        corruptions.put("huge total length", bytes -> putLong(bytes, ControlSegmentDescriptor.TOTAL_LENGTH_FIELD_OFFSET,
            Long.MAX_VALUE));
        corruptions.put("truncated body", bytes -> Arrays.copyOf(bytes, bytes.length - 4096));
        corruptions.put("truncated header", bytes -> Arrays.copyOf(bytes, 64));
        corruptions.put("empty", bytes -> new byte[0]);
        corruptions.put("random header", bytes -> randomize(bytes, 0, ControlSegmentDescriptor.HEADER_LENGTH, random));
        corruptions.put("random header after the marker", bytes -> randomize(bytes,
            ControlSegmentDescriptor.LAYOUT_VERSION_OFFSET, ControlSegmentDescriptor.HEADER_LENGTH, random));
        corruptions.put("random file", bytes -> randomize(bytes, 0, bytes.length, random));
        int index = 0;
        for (final Map.Entry<String, UnaryOperator<byte[]>> corruption : corruptions.entrySet())
        {
            final Path directory = dir.path().resolve("corrupt-" + index++);
            Files.createDirectory(directory);
            final Path file = directory.resolve(ShmDomain.CONTROL_FILE_NAME);
            final byte[] corrupt = corruption.getValue().apply(valid.clone());
            Files.write(file, corrupt);
            final DmaException ex = assertThrows(DmaException.class,
                () -> ShmDomain.open(DomainPair.context(directory, SEGMENT_SIZE)), corruption.getKey());
            assertEquals(Errno.EINVAL, ex.errno(), corruption.getKey() + ": " + ex.getMessage());
            assertTrue(ex.getMessage().contains(file.toString()), corruption.getKey() + ": " + ex.getMessage());
            assertArrayEquals(corrupt, Files.readAllBytes(file), corruption.getKey() + ": the file was written");
            try (var files = Files.list(directory))
            {
                assertEquals(List.of(file), files.toList(), corruption.getKey() + ": no domain file is left");
            }
        }
    }

    @Test
    void shouldTimeOutOnAControlSegmentThatNeverBecomesReady() throws Exception
    {
        final Path template = dir.path().resolve("template");
        ShmDomain.open(DomainPair.context(template, SEGMENT_SIZE)).close();
        final byte[] notReady = Files.readAllBytes(template.resolve(ShmDomain.CONTROL_FILE_NAME));
        putInt(notReady, ControlSegmentDescriptor.LAYOUT_VERSION_OFFSET, 0);
        final Path directory = Files.createDirectory(dir.path().resolve("not-ready"));
        final Path file = directory.resolve(ShmDomain.CONTROL_FILE_NAME);
        Files.write(file, notReady);
        final DmaException ex = assertThrows(DmaException.class, () -> ShmDomain.open(
            DomainPair.context(directory, SEGMENT_SIZE).openTimeoutNs(TimeUnit.MILLISECONDS.toNanos(200))));
        assertEquals(Errno.ETIMEDOUT, ex.errno(), ex.getMessage());
        assertTrue(ex.getMessage().contains(file.toString()), ex.getMessage());
    }

    @Test
    void shouldRefuseACorruptPeerSegmentWithoutExtendingIt() throws Exception
    {
        final UUID id = UUID.randomUUID();
        final Path file = DomainSegmentDescriptor.file(dir.path(), id);
        final byte[] valid = validSegment(id, 8192);
        final Random random = new Random(2);
        final Map<String, UnaryOperator<byte[]>> corruptions = new LinkedHashMap<>();
        corruptions.put("wrong marker", bytes -> set(bytes, 7, (byte)'?'));
        corruptions.put("wrong version", bytes -> putInt(bytes, VERSION_OFFSET, 2));
        corruptions.put("not ready", bytes -> putInt(bytes, VERSION_OFFSET, 0));
        corruptions.put("wrong header length", bytes -> putInt(bytes, HEADER_LENGTH_OFFSET, 64));
        corruptions.put("data length past the end", bytes -> putLong(bytes, DATA_LENGTH_OFFSET, 8193));
        corruptions.put("data length that overflows", bytes -> putLong(bytes, DATA_LENGTH_OFFSET, Long.MAX_VALUE));
        corruptions.put("negative data length", bytes -> putLong(bytes, DATA_LENGTH_OFFSET, -4096));
        corruptions.put("zero data length", bytes -> putLong(bytes, DATA_LENGTH_OFFSET, 0));
        corruptions.put("another domain", bytes -> putLong(bytes, DOMAIN_LSB_OFFSET, id.getLeastSignificantBits() + 1));
        corruptions.put("wrong IOVA base", bytes -> putLong(bytes, IOVA_BASE_OFFSET, 0));
        corruptions.put("truncated data", bytes -> Arrays.copyOf(bytes, bytes.length - 1));
        corruptions.put("header only", bytes -> Arrays.copyOf(bytes, HEADER_LENGTH));
        corruptions.put("truncated header", bytes -> Arrays.copyOf(bytes, 100));
        corruptions.put("empty", bytes -> new byte[0]);
        corruptions.put("random header", bytes -> randomize(bytes, 0, HEADER_LENGTH, random));
        corruptions.put("random header after the marker", bytes -> randomize(bytes, VERSION_OFFSET, 64, random));
        for (final Map.Entry<String, UnaryOperator<byte[]>> corruption : corruptions.entrySet())
        {
            final byte[] corrupt = corruption.getValue().apply(valid.clone());
            Files.write(file, corrupt);
            final IllegalStateException ex = assertThrows(IllegalStateException.class,
                () -> DomainSegment.mapPeer(dir.path(), id), corruption.getKey());
            assertTrue(ex.getMessage().contains(file.toString()), corruption.getKey() + ": " + ex.getMessage());
            assertEquals(corrupt.length, Files.size(file), corruption.getKey() + ": the file was extended");
            assertArrayEquals(corrupt, Files.readAllBytes(file), corruption.getKey() + ": the file was written");
        }
        Files.write(file, valid);
        try (DomainSegment segment = DomainSegment.mapPeer(dir.path(), id))
        {
            assertEquals(8192, segment.memory().size(), "the template itself is valid");
        }
    }

    private static byte[] validSegment(final UUID id, final int dataLength)
    {
        final byte[] bytes = new byte[HEADER_LENGTH + dataLength];
        DomainSegmentDescriptor.fillHeader(new UnsafeBuffer(bytes), id, dataLength);
        return bytes;
    }

    @Test
    void shouldRefuseAVchanToAPeerWhoseSegmentIsCorruptAndLogWhy() throws Exception
    {
        try (DomainPair pair = new DomainPair(dir.path(), SEGMENT_SIZE))
        {
            final Path joinerFile = DomainSegmentDescriptor.file(dir.path(), pair.joiner.domainId());
            writeAt(joinerFile, 0, "NOTASEGM".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            pair.creatorDevice.stop();
            pair.creatorDevice.configure(new io.shmdma.DmaConf(1, 0));
            final DmaException ex = assertThrows(DmaException.class, () -> pair.creatorDevice.vchanSetup(0,
                VchanConf.interProcess(64, pair.creatorHandler, pair.joinerHandler)));
            assertEquals(Errno.EINVAL, ex.errno());
            assertTrue(errorLogMentions(pair.creator, joinerFile.toString(), "wrong marker"),
                "the error log says which file was refused and why");

            writeAt(joinerFile, 0, DomainSegmentDescriptor.MARKER);
            try (FileChannel channel = FileChannel.open(joinerFile, StandardOpenOption.WRITE))
            {
                channel.truncate(HEADER_LENGTH + SEGMENT_SIZE / 2);
            }
            assertEquals(Errno.EINVAL, assertThrows(DmaException.class, () -> pair.creatorDevice.vchanSetup(0,
                VchanConf.interProcess(64, pair.creatorHandler, pair.joinerHandler))).errno());
            assertTrue(errorLogMentions(pair.creator, joinerFile.toString(), "truncated"));
            assertEquals(HEADER_LENGTH + SEGMENT_SIZE / 2, Files.size(joinerFile), "never extended");
        }
    }

    @Test
    void shouldStopTouchingAPeerSegmentTruncatedAfterItWasMapped() throws Exception
    {
        try (DomainPair pair = new DomainPair(dir.path(), SEGMENT_SIZE))
        {
            pair.creatorToJoiner();
            final DmaRegion source = pair.creator.memory().allocate(4096);
            final DmaRegion target = pair.joiner.memory().allocate(4096);
            final DmaRegion early = pair.joiner.memory().allocate(64);
            assertEquals(DmaStatus.SUCCESSFUL, pair.copy(source, target.iova(), 4096));
            final Path joinerFile = DomainSegmentDescriptor.file(dir.path(), pair.joiner.domainId());
            try (FileChannel channel = FileChannel.open(joinerFile, StandardOpenOption.WRITE))
            {
                channel.truncate(HEADER_LENGTH);
            }
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!errorLogMentions(pair.creator, joinerFile.toString(), "truncated to " + HEADER_LENGTH))
            {
                assertTrue(System.nanoTime() - deadline < 0, "the conductor noticed the truncation");
                Thread.sleep(10);
            }
            assertEquals(DmaStatus.INVALID_DST_ADDR, pair.copy(source, target.iova(), 4096),
                "a job to the truncated segment fails instead of raising SIGBUS");
            assertEquals(DmaStatus.INVALID_DST_ADDR, pair.copy(source, early.iova(), 64),
                "even where the file still had pages: the whole segment is revoked");
            assertEquals(Errno.EINVAL, assertThrows(DmaException.class, () ->
            {
                pair.creatorDevice.stop();
                pair.creatorDevice.vchanSetup(0, VchanConf.interProcess(64, pair.creatorHandler, pair.joinerHandler));
            }).errno(), "a new vchan to the broken segment is refused");
            assertTrue(pair.creatorDevice.isValid());
        }
    }

    private static boolean errorLogMentions(final ShmDomain domain, final String... parts)
    {
        for (final ErrorLogEntry entry : domain.registry().errorLogEntries())
        {
            if (Arrays.stream(parts).allMatch(entry.encodedError()::contains))
            {
                return true;
            }
        }
        return false;
    }

    private static void writeAt(final Path file, final long position, final byte[] bytes) throws Exception
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap(bytes), position);
        }
    }

    private static byte[] set(final byte[] bytes, final int index, final byte value)
    {
        bytes[index] = value;
        return bytes;
    }

    private static byte[] putInt(final byte[] bytes, final int index, final int value)
    {
        ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putInt(index, value);
        return bytes;
    }

    private static byte[] putLong(final byte[] bytes, final int index, final long value)
    {
        ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder()).putLong(index, value);
        return bytes;
    }

    private static byte[] randomize(final byte[] bytes, final int from, final int to, final Random random)
    {
        final byte[] noise = new byte[to - from];
        random.nextBytes(noise);
        System.arraycopy(noise, 0, bytes, from, noise.length);
        return bytes;
    }
}
