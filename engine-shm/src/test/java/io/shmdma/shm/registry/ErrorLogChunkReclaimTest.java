package io.shmdma.shm.registry;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.*;
import static io.shmdma.shm.registry.RegistryTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * An error log chunk claimed by a process that died before registering a domain is never released by a reap; it
 * is claimed again once every other chunk is taken.
 */
class ErrorLogChunkReclaimTest
{
    private Path directory;
    private final List<Registry> registries = new ArrayList<>();

    @BeforeEach
    void setUp()
    {
        directory = newTempDirectory();
    }

    @AfterEach
    void tearDown()
    {
        registries.forEach(Registry::close);
        deleteRecursively(directory);
    }

    @Test
    void shouldReclaimTheChunkOfAProcessThatNoLongerExists()
    {
        for (int i = 0; i < ERROR_LOG_CHUNK_COUNT; i++)
        {
            final Registry registry = open();
            registry.errorLog().record(new IllegalStateException("owner " + i));
        }
        final int abandoned = 5;
        final Registry any = registries.get(0);
        any.buffer().putLongVolatile(errorLogDirectoryOffset(abandoned) + CHUNK_OWNER_PID_OFFSET, Long.MAX_VALUE);

        final Registry late = open();
        late.errorLog().record(new IllegalStateException("late process"));
        final List<String> texts = any.errorLogEntries().stream().map(ErrorLogEntry::encodedError).toList();
        assertTrue(texts.stream().anyMatch(text -> text.contains("late process")), texts.toString());
        assertTrue(texts.stream().noneMatch(text -> text.contains("owner " + abandoned + "\n")),
            "the dead owner's chunk was cleared");
        assertEquals(late.incarnation(),
            any.buffer().getLongVolatile(errorLogDirectoryOffset(abandoned) + CHUNK_OWNER_INCARNATION_OFFSET));

        final Registry withoutChunk = open();
        assertTrue(withoutChunk.errorLog().record(new IllegalStateException("private")));
        assertTrue(any.errorLogEntries().stream().noneMatch(entry -> entry.encodedError().contains("private")),
            "chunks of live owners are never taken");
    }

    private Registry open()
    {
        final Registry registry = Registry.openOrCreate(directory.resolve("control.shm"), testConfig());
        registries.add(registry);
        return registry;
    }
}
