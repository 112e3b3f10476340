package io.shmdma.shm.registry;

import io.shmdma.DmaException;
import io.shmdma.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.shmdma.shm.registry.ControlSegmentDescriptor.TOTAL_LENGTH;
import static io.shmdma.shm.registry.RegistryTestSupport.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A full tmpfs must be a clear exception when the control segment is created, never a SIGBUS later. Needs
 * permission to mount a 1 MiB tmpfs (root or CAP_SYS_ADMIN); skipped otherwise.
 */
class RegistryFullFileSystemTest
{
    private Path directory;
    private Path mountPoint;
    private boolean mounted;

    @BeforeEach
    void setUp() throws Exception
    {
        directory = newTempDirectory();
        mountPoint = Files.createDirectory(directory.resolve("tiny"));
        mounted = run("mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", mountPoint.toString());
        assumeTrue(mounted, "mounting a tmpfs is not permitted here");
        Files.setPosixFilePermissions(mountPoint, PosixFilePermissions.fromString("rwx------"));
    }

    @AfterEach
    void tearDown() throws Exception
    {
        if (mounted)
        {
            run("umount", mountPoint.toString());
        }
        deleteRecursively(directory);
    }

    @Test
    void shouldRefuseToCreateControlSegmentOnFullTmpfs() throws IOException
    {
        final Path file = mountPoint.resolve("control.shm");
        final DmaException ex = assertThrows(DmaException.class, () -> Registry.openOrCreate(file, testConfig()));
        assertEquals(Errno.ENOSPC, ex.errno(), ex.getMessage());
        assertTrue(ex.getMessage().contains(file.toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains(Integer.toString(TOTAL_LENGTH)), ex.getMessage());
        assertFalse(Files.exists(file));
        try (Stream<Path> files = Files.list(mountPoint))
        {
            assertEquals(List.of(), files.toList(), "the temporary file is removed");
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
