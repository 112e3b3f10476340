package io.shmdma.shm.registry;

import io.shmdma.DmaException;
import io.shmdma.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;
import static io.shmdma.shm.registry.RegistryTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class RegistryFileTest
{
    private Path directory;
    private Path file;

    @BeforeEach
    void setUp()
    {
        directory = newTempDirectory();
        file = directory.resolve("control.shm");
    }

    @AfterEach
    void tearDown()
    {
        deleteRecursively(directory);
    }

    @Test
    void shouldCreateFileWithReadableMarkerVersionAndOwnerOnlyPermissions() throws IOException
    {
        try (Registry registry = Registry.openOrCreate(file, testConfig()))
        {
            assertTrue(registry.created());
            assertEquals(file.toAbsolutePath(), registry.path());
        }
        final byte[] bytes = Files.readAllBytes(file);
        assertEquals(TOTAL_LENGTH, bytes.length);
        assertEquals(MARKER, new String(bytes, 0, MARKER.length(), StandardCharsets.US_ASCII));
        final ByteBuffer header = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
        assertEquals(LAYOUT_VERSION, header.getInt(LAYOUT_VERSION_OFFSET));
        assertEquals(TOTAL_LENGTH, header.getLong(TOTAL_LENGTH_FIELD_OFFSET));
        assertEquals(ProcessHandle.current().pid(), header.getLong(CREATOR_PID_OFFSET));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertNoTemporaryFiles();
    }

    @Test
    void shouldCreateGroupSharedFileWhenConfigured() throws IOException
    {
        final Path nested = directory.resolve("sub").resolve("control.shm");
        try (Registry registry = Registry.openOrCreate(nested, testConfig().groupShared(true)))
        {
            assertTrue(registry.created());
            assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(nested)));
            assertEquals("rwxrwx---", PosixFilePermissions.toString(Files.getPosixFilePermissions(nested.getParent())));
        }
    }

    @Test
    void shouldMapExistingFileAndShareState()
    {
        try (Registry first = Registry.openOrCreate(file, testConfig());
            Registry second = Registry.openOrCreate(file, testConfig()))
        {
            assertTrue(first.created());
            assertFalse(second.created());
            final UUID domainId = UUID.randomUUID();
            final int slot = register(first, domainId);
            assertEquals(slot, second.findDomain(domainId));
            assertNotEquals(first.incarnation(), second.incarnation());
        }
    }

    @Test
    void shouldOpenExistingOnlyWhenPresent()
    {
        final DmaException absent = assertThrows(DmaException.class, () -> Registry.openExisting(file, testConfig()));
        assertEquals(Errno.ENOENT, absent.errno());
        assertTrue(absent.getMessage().contains(file.toString()), absent.getMessage());
        try (Registry creator = Registry.openOrCreate(file, testConfig());
            Registry existing = Registry.openExisting(file, testConfig()))
        {
            assertTrue(creator.created());
            assertFalse(existing.created());
        }
    }

    @Test
    void shouldRefuseFileWithWrongMarker() throws IOException
    {
        createValidFile();
        patch(0, "NOTSHMDMA".getBytes(StandardCharsets.US_ASCII));
        assertRefused(Errno.EINVAL, "marker");
    }

    @Test
    void shouldRefuseFileWithOtherLayoutVersion() throws IOException
    {
        createValidFile();
        patch(LAYOUT_VERSION_OFFSET, intBytes(LAYOUT_VERSION + 1));
        assertRefused(Errno.EINVAL, "layout version " + (LAYOUT_VERSION + 1));
    }

    @Test
    void shouldRefuseFileShorterThanItsHeaderSays() throws IOException
    {
        createValidFile();
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE))
        {
            channel.truncate(TOTAL_LENGTH / 2);
        }
        assertRefused(Errno.EINVAL, "truncated");
        assertEquals(TOTAL_LENGTH / 2, Files.size(file), "a refused file is never extended or truncated");
    }

    @Test
    void shouldRefuseFileShorterThanAHeader() throws IOException
    {
        Files.write(file, MARKER.getBytes(StandardCharsets.US_ASCII));
        assertRefused(Errno.EINVAL, "truncated");
    }

    @Test
    void shouldRefuseEmptyFile() throws IOException
    {
        Files.createFile(file);
        assertRefused(Errno.EINVAL, "truncated");
    }

    @Test
    void shouldRefuseRandomHeaderBytes() throws IOException
    {
        final Random random = new Random(42);
        for (int round = 0; round < 20; round++)
        {
            createValidFile();
            final byte[] noise = new byte[HEADER_LENGTH];
            random.nextBytes(noise);
            patch(0, noise);
            assertRefused(Errno.EINVAL, "");
            Files.delete(file);
        }
    }

    @Test
    void shouldRefuseForeignCapacities() throws IOException
    {
        createValidFile();
        patch(GROUP_CAPACITY_FIELD_OFFSET, intBytes(GROUP_CAPACITY * 2));
        assertRefused(Errno.EINVAL, "group capacity");
    }

    @Test
    void shouldTimeOutWhenVersionIsNeverWritten() throws IOException
    {
        createValidFile();
        patch(LAYOUT_VERSION_OFFSET, intBytes(0));
        final long startNs = System.nanoTime();
        assertRefused(Errno.ETIMEDOUT, "did not become ready");
        assertTrue(System.nanoTime() - startNs >= TimeUnit.MILLISECONDS.toNanos(250));
    }

    @Test
    void shouldWaitForVersionWrittenLate() throws Exception
    {
        createValidFile();
        patch(LAYOUT_VERSION_OFFSET, intBytes(0));
        final Thread writer = new Thread(() ->
        {
            sleepMs(100);
            try
            {
                patch(LAYOUT_VERSION_OFFSET, intBytes(LAYOUT_VERSION));
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(ex);
            }
        });
        writer.start();
        try (Registry registry = Registry.openOrCreate(file, testConfig().openTimeoutNs(TimeUnit.SECONDS.toNanos(5))))
        {
            assertFalse(registry.created());
        }
        writer.join();
    }

    @Test
    void shouldShareOneFileWhenThreadsRaceOnAFreshDirectory() throws Exception
    {
        final Path fresh = directory.resolve("fresh").resolve("control.shm");
        final int racers = 4;
        final ExecutorService executor = Executors.newFixedThreadPool(racers);
        final CountDownLatch start = new CountDownLatch(1);
        final List<Registry> registries = new ArrayList<>();
        try
        {
            final List<Future<Registry>> futures = new ArrayList<>();
            for (int i = 0; i < racers; i++)
            {
                futures.add(executor.submit(() ->
                {
                    start.await();
                    return Registry.openOrCreate(fresh, testConfig());
                }));
            }
            start.countDown();
            for (final Future<Registry> future : futures)
            {
                registries.add(future.get(10, TimeUnit.SECONDS));
            }
            assertEquals(1, registries.stream().filter(Registry::created).count());
            for (final Registry registry : registries)
            {
                register(registry, UUID.randomUUID());
            }
            for (final Registry registry : registries)
            {
                assertEquals(racers, registry.domains().size());
            }
            try (Stream<Path> files = Files.list(fresh.getParent()))
            {
                assertEquals(List.of(fresh.toAbsolutePath()), files.map(Path::toAbsolutePath).toList());
            }
        }
        finally
        {
            registries.forEach(Registry::close);
            executor.shutdownNow();
        }
    }

    private void createValidFile()
    {
        try (Registry registry = Registry.openOrCreate(file, testConfig()))
        {
            assertTrue(registry.created());
        }
    }

    private void patch(final int offset, final byte[] bytes) throws IOException
    {
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap(bytes), offset);
        }
    }

    private static byte[] intBytes(final int value)
    {
        return ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.nativeOrder()).putInt(value).array();
    }

    private void assertRefused(final int errno, final String messagePart)
    {
        final DmaException ex = assertThrows(DmaException.class, () -> Registry.openOrCreate(file, testConfig()));
        assertEquals(errno, ex.errno(), ex.getMessage());
        assertTrue(ex.getMessage().contains(file.toAbsolutePath().toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains(messagePart), ex.getMessage());
        assertNoTemporaryFiles();
    }

    private void assertNoTemporaryFiles()
    {
        try (Stream<Path> files = Files.list(directory))
        {
            assertEquals(List.of(), files.filter(path -> path.toString().endsWith(".tmp")).toList());
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
