package io.shmdma.shm.registry;

import io.shmdma.DmaCapability;
import io.shmdma.DmaException;
import io.shmdma.DmaInfo;
import io.shmdma.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.UUID;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;
import static io.shmdma.shm.registry.RegistryTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The read-only registry tools use, and the device information published in the counters slots.
 */
class RegistryReadOnlyTest
{
    private Path directory;
    private Path file;
    private Registry registry;
    private int domain;

    @BeforeEach
    void setUp()
    {
        directory = newTempDirectory();
        file = directory.resolve("control.shm");
        registry = Registry.openOrCreate(file, testConfig());
        domain = register(registry, UUID.randomUUID());
    }

    @AfterEach
    void tearDown()
    {
        registry.close();
        deleteRecursively(directory);
    }

    @Test
    void shouldReadEverythingWithoutWritingAByte() throws Exception
    {
        final UUID token = UUID.randomUUID();
        final int groupId = registry.createGroup(domain, token);
        final int counterId = registry.allocateDeviceCounters(domain, 0, "dma0");
        registry.deviceCounters(counterId).set(5, 4, 1);
        registry.errorLog().record(new IllegalStateException("seen by tools"));
        final byte[] before = Files.readAllBytes(file);

        try (Registry tool = Registry.openReadOnly(file, testConfig()))
        {
            assertTrue(tool.readOnly());
            assertEquals(1, tool.domains().size());
            assertEquals(groupId, tool.groups().get(0).groupId());
            assertEquals(5, tool.deviceCountersViews().get(0).submitted());
            assertEquals(1, tool.errorLogEntries().size());
            assertTrue(tool.errorLogEntries().get(0).encodedError().contains("seen by tools"));
        }
        final byte[] after = Files.readAllBytes(file);
        // the owner's heartbeat is the only thing that may change meanwhile, and nothing heartbeats here
        assertArrayEquals(before, after, "a read-only registry must not change the file");
    }

    @Test
    void shouldMapReadOnlyAndNeedOnlyReadPermission() throws Exception
    {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--------"));
        try (Registry tool = Registry.openReadOnly(file, testConfig()))
        {
            assertTrue(tool.buffer().byteBuffer().isReadOnly(), "the mapping itself is read-only");
            assertEquals(1, tool.domains().size());
        }
        finally
        {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        }
    }

    @Test
    void shouldRefuseEveryWriteWhenReadOnly()
    {
        final int counterId = registry.allocateDeviceCounters(domain, 0, "dma0");
        try (Registry tool = Registry.openReadOnly(file, testConfig()))
        {
            assertThrows(IllegalStateException.class, () -> tool.registerDomain(UUID.randomUUID(), "x", 1));
            assertThrows(IllegalStateException.class, () -> tool.createGroup(domain, UUID.randomUUID()));
            assertThrows(IllegalStateException.class, () -> tool.allocateDeviceCounters(domain, 1, "x"));
            assertThrows(IllegalStateException.class, () -> tool.deviceCounters(counterId));
            assertThrows(IllegalStateException.class, tool::errorLog);
            assertThrows(IllegalStateException.class, tool::checkConsistency);
            assertFalse(tool.heartbeat(domain));
            assertEquals(List.of(), tool.reapDeadDomains(System.nanoTime()), "nothing dead, nothing to refuse");
        }
        assertEquals(List.of(), registry.checkConsistency());
    }

    @Test
    void shouldNotOpenMissingForeignOrTruncatedFilesReadOnly() throws Exception
    {
        final DmaException missing = assertThrows(DmaException.class,
            () -> Registry.openReadOnly(directory.resolve("absent.shm"), testConfig()));
        assertEquals(Errno.ENOENT, missing.errno());

        final Path foreign = directory.resolve("foreign.shm");
        Files.write(foreign, new byte[HEADER_LENGTH * 2]);
        final DmaException notOurs = assertThrows(DmaException.class,
            () -> Registry.openReadOnly(foreign, testConfig()));
        assertEquals(Errno.EINVAL, notOurs.errno());
        assertTrue(notOurs.getMessage().contains(MARKER), notOurs.getMessage());

        final Path truncated = directory.resolve("truncated.shm");
        Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(file), HEADER_LENGTH + 100));
        final DmaException shortFile = assertThrows(DmaException.class,
            () -> Registry.openReadOnly(truncated, testConfig()));
        assertEquals(Errno.EINVAL, shortFile.errno());
        assertTrue(shortFile.getMessage().contains("truncated"), shortFile.getMessage());
    }

    @Test
    void shouldPublishDeviceInfoAndZeroItWhenTheSlotIsReused()
    {
        assertTrue(COUNTERS_INFO_END_OFFSET <= COUNTERS_SUBMITTED_OFFSET, "info shares the entry's first lines");
        assertEquals(0, COUNTERS_CAPABILITIES_OFFSET % Long.BYTES);
        assertEquals(384, DEVICE_COUNTERS_ENTRY_LENGTH, "the entry did not grow");

        final int counterId = registry.allocateDeviceCounters(domain, 2, "dma2");
        assertEquals(new DeviceInfoView(counterId, false, false, 0, 0, 0, 0, 0, 0, 0, 0),
            registry.deviceInfo(counterId).orElseThrow(), "nothing published yet");

        final DmaInfo info = new DmaInfo();
        info.devCapa = DmaCapability.MEM_TO_MEM | DmaCapability.INTER_PROCESS_DOMAIN;
        info.nbVchans = 2;
        info.maxVchans = 16;
        info.minDesc = 32;
        info.maxDesc = 8192;
        info.maxSges = 16;
        info.numaNode = -1;
        registry.deviceCounters(counterId).publishInfo(info, true);
        try (Registry tool = Registry.openReadOnly(file, testConfig()))
        {
            assertEquals(new DeviceInfoView(counterId, true, true, info.devCapa, 2, 16, 32, 8192, 16, 0, -1),
                tool.deviceInfo(counterId).orElseThrow());
            assertTrue(tool.deviceInfo(counterId + 1).isEmpty());
            assertTrue(tool.deviceInfo(-1).isEmpty());
        }

        assertEquals(0, registry.freeDeviceCounters(counterId));
        assertTrue(registry.deviceInfo(counterId).isEmpty());
        assertEquals(counterId, registry.allocateDeviceCounters(domain, 3, "dma3"));
        assertFalse(registry.deviceInfo(counterId).orElseThrow().published(), "a reused slot starts unpublished");
        assertEquals(0, registry.deviceInfo(counterId).orElseThrow().maxDesc());
    }
}
