package io.shmdma.shm.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Helpers shared by the registry tests: temporary directories under /dev/shm, short timeouts, bounded waits.
 */
final class RegistryTestSupport
{
    /** Liveness timeout used by tests, short so that death is noticed quickly. */
    static final long TEST_LIVENESS_TIMEOUT_NS = TimeUnit.MILLISECONDS.toNanos(200);

    private RegistryTestSupport()
    {
    }

    static Path newTempDirectory()
    {
        try
        {
            return Files.createTempDirectory(Path.of("/dev/shm"), "shmdma-test-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static void deleteRecursively(final Path directory)
    {
        if (null == directory || !Files.exists(directory))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static RegistryConfig testConfig()
    {
        return new RegistryConfig()
            .livenessTimeoutNs(TEST_LIVENESS_TIMEOUT_NS)
            .joinLockoutDurationNs(TimeUnit.MILLISECONDS.toNanos(300))
            .lockTimeoutNs(TimeUnit.SECONDS.toNanos(5))
            .openTimeoutNs(TimeUnit.MILLISECONDS.toNanos(300));
    }

    static int register(final Registry registry, final UUID domainId)
    {
        final int slot = registry.registerDomain(domainId, "domain-" + domainId + ".shm", 1 << 20);
        if (slot < 0)
        {
            fail("registerDomain failed: " + slot);
        }
        return slot;
    }

    static void sleepMs(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    static void awaitTrue(final BooleanSupplier condition, final long timeoutMs, final String what)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        long sleepMs = 1;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            sleepMs(sleepMs);
            sleepMs = Math.min(50, sleepMs * 2);
        }
    }
}
