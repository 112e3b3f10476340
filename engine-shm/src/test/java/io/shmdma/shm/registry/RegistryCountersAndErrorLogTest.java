package io.shmdma.shm.registry;

import io.shmdma.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;
import static io.shmdma.shm.registry.RegistryTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

class RegistryCountersAndErrorLogTest
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
    void shouldCountPerDeviceAndShowCountsToOtherProcesses()
    {
        final int counterId = registry.allocateDeviceCounters(domain, 3, "shm_dma_3");
        assertTrue(counterId >= 0);
        final DeviceCounters counters = registry.deviceCounters(counterId);
        counters.set(10, 7, 2);
        try (Registry tool = Registry.openExisting(file, testConfig()))
        {
            assertEquals(List.of(new DeviceCountersView(counterId, domain, 1, 3, "shm_dma_3", 10, 7, 2)),
                tool.deviceCountersViews());
        }
        counters.reset();
        assertEquals(0, counters.submitted() + counters.completed() + counters.errors());
        assertEquals(0, registry.freeDeviceCounters(counterId));
        assertEquals(-Errno.ENOENT, registry.freeDeviceCounters(counterId));
        assertEquals(-Errno.EINVAL, registry.freeDeviceCounters(DEVICE_COUNTERS_CAPACITY));
        assertEquals(List.of(), registry.deviceCountersViews());
    }

    @Test
    void shouldStartReallocatedCountersAtZeroAndCutLongNames()
    {
        final int counterId = registry.allocateDeviceCounters(domain, 0, "x".repeat(40));
        registry.deviceCounters(counterId).set(5, 0, 0);
        assertEquals("x".repeat(MAX_DEVICE_NAME_LENGTH), registry.deviceCountersViews().get(0).name());
        assertEquals(0, registry.freeDeviceCounters(counterId));
        assertEquals(counterId, registry.allocateDeviceCounters(domain, 1, "again"));
        assertEquals(0, registry.deviceCounters(counterId).submitted());
    }

    @Test
    void shouldRefuseCountersWhenFullOrForAnotherDomain()
    {
        for (int i = 0; i < DEVICE_COUNTERS_CAPACITY; i++)
        {
            assertEquals(i, registry.allocateDeviceCounters(domain, i, "dma" + i));
        }
        assertEquals(-Errno.ENOSPC, registry.allocateDeviceCounters(domain, 99, "dma99"));
        assertEquals(-Errno.EINVAL, registry.allocateDeviceCounters(domain + 1, 0, "dma"));
        assertEquals(-Errno.EINVAL, registry.allocateDeviceCounters(domain, 0, null));
        assertThrows(IllegalArgumentException.class, () -> registry.deviceCounters(DEVICE_COUNTERS_CAPACITY));
        assertEquals(0, registry.unregisterDomain(domain));
        assertEquals(List.of(), registry.deviceCountersViews(), "freed with the domain");
    }

    @Test
    void shouldKeepOneErrorLogChunkPerProcessReadableAfterClose()
    {
        registry.errorLog().record(new IllegalStateException("first process error"));
        try (Registry second = Registry.openOrCreate(file, testConfig()))
        {
            for (int i = 0; i < 2; i++)
            {
                second.errorLog().record(new IllegalArgumentException("second process error"));
            }
        }
        final List<ErrorLogEntry> entries = registry.errorLogEntries();
        assertEquals(2, entries.size(), entries.toString());
        assertTrue(entries.get(0).encodedError().contains("first process error"));
        assertEquals(1, entries.get(0).observationCount());
        assertTrue(entries.get(1).encodedError().contains("second process error"));
        assertEquals(2, entries.get(1).observationCount());
        assertEquals(ProcessHandle.current().pid(), entries.get(1).ownerPid());
    }

    @Test
    void shouldReuseOldestReleasedChunkAndFallBackWhenAllAreOwned()
    {
        final List<Registry> others = new ArrayList<>();
        try
        {
            registry.errorLog().record(new IllegalStateException("kept"));
            for (int i = 1; i < ERROR_LOG_CHUNK_COUNT; i++)
            {
                final Registry other = Registry.openOrCreate(file, testConfig());
                others.add(other);
                other.errorLog().record(new IllegalStateException("error " + i));
            }
            others.get(0).close();
            final Registry reusing = Registry.openOrCreate(file, testConfig());
            others.add(reusing);
            reusing.errorLog().record(new IllegalStateException("reused chunk"));
            final List<String> texts = registry.errorLogEntries().stream().map(ErrorLogEntry::encodedError).toList();
            assertTrue(texts.stream().anyMatch(text -> text.contains("reused chunk")));
            assertTrue(texts.stream().noneMatch(text -> text.contains("error 1\n") || text.endsWith("error 1")));
            assertTrue(texts.stream().anyMatch(text -> text.contains("kept")));

            final Registry withoutChunk = Registry.openOrCreate(file, testConfig());
            others.add(withoutChunk);
            assertTrue(withoutChunk.errorLog().record(new IllegalStateException("private")));
            assertTrue(registry.errorLogEntries().stream()
                .noneMatch(entry -> entry.encodedError().contains("private")));
        }
        finally
        {
            others.forEach(Registry::close);
        }
    }
}
