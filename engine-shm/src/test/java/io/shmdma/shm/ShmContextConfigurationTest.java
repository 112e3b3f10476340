package io.shmdma.shm;

import io.shmdma.shm.registry.RegistryConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link ShmConfiguration}: duration and size parsing, every property reaching a new {@link ShmContext}, and the
 * context's validation of the registry's settings.
 */
class ShmContextConfigurationTest
{
    private static final List<String> PROPERTIES = List.of(
        ShmConfiguration.DIR_PROP_NAME,
        ShmConfiguration.DOMAIN_SEGMENT_SIZE_PROP_NAME,
        ShmConfiguration.LIVENESS_TIMEOUT_PROP_NAME,
        ShmConfiguration.CONDUCTOR_INTERVAL_PROP_NAME,
        ShmConfiguration.GROUP_SHARED_PROP_NAME,
        ShmConfiguration.JOIN_LOCKOUT_ATTEMPTS_PROP_NAME,
        ShmConfiguration.JOIN_LOCKOUT_DURATION_PROP_NAME,
        ShmConfiguration.LOCK_TIMEOUT_PROP_NAME,
        ShmConfiguration.OPEN_TIMEOUT_PROP_NAME);

    @AfterEach
    void clearProperties()
    {
        for (final String property : PROPERTIES)
        {
            System.clearProperty(property);
        }
    }

    @Test
    void shouldParseDurationsWithUnits()
    {
        assertEquals(TimeUnit.MILLISECONDS.toNanos(500), parse("500ms", TimeUnit.NANOSECONDS));
        assertEquals(TimeUnit.SECONDS.toNanos(3), parse("3s", TimeUnit.NANOSECONDS));
        assertEquals(TimeUnit.MICROSECONDS.toNanos(250), parse("250us", TimeUnit.MILLISECONDS));
        assertEquals(10, parse("10ns", TimeUnit.MILLISECONDS));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(7), parse(" 7 MS ", TimeUnit.SECONDS), "case and blanks");
        assertEquals(0, parse("0s", TimeUnit.SECONDS));
    }

    @Test
    void shouldReadABareNumberInThePropertysOwnUnit()
    {
        assertEquals(TimeUnit.MILLISECONDS.toNanos(500), parse("500", TimeUnit.MILLISECONDS));
        assertEquals(500, parse("500", TimeUnit.NANOSECONDS));

        System.setProperty(ShmConfiguration.LIVENESS_TIMEOUT_PROP_NAME, "800");
        System.setProperty(ShmConfiguration.LOCK_TIMEOUT_PROP_NAME, "2000000000");
        assertEquals(TimeUnit.MILLISECONDS.toNanos(800), ShmConfiguration.livenessTimeoutNs(), "shmdma...ms: ms");
        assertEquals(TimeUnit.SECONDS.toNanos(2), ShmConfiguration.lockTimeoutNs(), "shmdma...ns: ns");
    }

    @Test
    void shouldRefuseBadDurationsNamingTheProperty()
    {
        final String property = "shmdma.test.duration";
        for (final String bad : new String[]{ "", " ", "ms", "soon", "-5ms", "+5ms", "1.5s", "5 parsecs", "5m",
            "5h", "5 s s", "99999999999999999999ns", "9223372036854775807s" })
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> ShmConfiguration.parseDurationNs(property, bad, TimeUnit.MILLISECONDS), "'" + bad + "'");
            assertTrue(ex.getMessage().startsWith(property + "="), ex.getMessage());
        }
        assertThrows(IllegalArgumentException.class,
            () -> ShmConfiguration.parseDurationNs(property, null, TimeUnit.MILLISECONDS));
    }

    @Test
    void shouldParseSizesAndRefuseBadOnes()
    {
        final String property = "shmdma.test.size";
        assertEquals(4096, ShmConfiguration.parseSize(property, "4096"));
        assertEquals(1024, ShmConfiguration.parseSize(property, "1k"));
        assertEquals(64L << 20, ShmConfiguration.parseSize(property, "64M"));
        assertEquals(2L << 30, ShmConfiguration.parseSize(property, "2g"));
        for (final String bad : new String[]{ "", "64x", "-1", "1.5g", "64 MiB", "9999999999999g" })
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> ShmConfiguration.parseSize(property, bad), "'" + bad + "'");
            assertTrue(ex.getMessage().startsWith(property + "="), ex.getMessage());
        }
    }

    @Test
    void shouldTakeEveryPropertyIntoANewContextAndItsRegistryConfig()
    {
        System.setProperty(ShmConfiguration.DIR_PROP_NAME, "/dev/shm/shmdma-config-test");
        System.setProperty(ShmConfiguration.DOMAIN_SEGMENT_SIZE_PROP_NAME, "2m");
        System.setProperty(ShmConfiguration.LIVENESS_TIMEOUT_PROP_NAME, "3s");
        System.setProperty(ShmConfiguration.CONDUCTOR_INTERVAL_PROP_NAME, "20");
        System.setProperty(ShmConfiguration.GROUP_SHARED_PROP_NAME, "TRUE");
        System.setProperty(ShmConfiguration.JOIN_LOCKOUT_ATTEMPTS_PROP_NAME, "9");
        System.setProperty(ShmConfiguration.JOIN_LOCKOUT_DURATION_PROP_NAME, "250ms");
        System.setProperty(ShmConfiguration.LOCK_TIMEOUT_PROP_NAME, "15s");
        System.setProperty(ShmConfiguration.OPEN_TIMEOUT_PROP_NAME, "750000us");

        final ShmContext context = new ShmContext();
        assertEquals(Path.of("/dev/shm/shmdma-config-test"), context.dir());
        assertEquals(2L << 20, context.domainSegmentSize());
        assertEquals(TimeUnit.SECONDS.toNanos(3), context.livenessTimeoutNs());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(20), context.conductorIntervalNs());
        assertTrue(context.groupShared());
        assertEquals(9, context.joinLockoutAttempts());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(250), context.joinLockoutDurationNs());
        assertEquals(TimeUnit.SECONDS.toNanos(15), context.lockTimeoutNs());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(750), context.openTimeoutNs());

        final RegistryConfig config = context.registryConfig();
        assertEquals(TimeUnit.SECONDS.toNanos(3), config.livenessTimeoutNs());
        assertTrue(config.groupShared());
        assertEquals(9, config.joinLockoutAttempts());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(250), config.joinLockoutDurationNs());
        assertEquals(TimeUnit.SECONDS.toNanos(15), config.lockTimeoutNs());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(750), config.openTimeoutNs());
    }

    @Test
    void shouldStartFromTheDefaultsWithoutProperties()
    {
        final ShmContext context = new ShmContext();
        assertEquals(Path.of(ShmConfiguration.DIR_DEFAULT), context.dir());
        assertEquals(ShmConfiguration.DOMAIN_SEGMENT_SIZE_DEFAULT, context.domainSegmentSize());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(500), context.livenessTimeoutNs());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(50), context.conductorIntervalNs());
        assertEquals(5, context.joinLockoutAttempts());
        assertEquals(TimeUnit.SECONDS.toNanos(1), context.joinLockoutDurationNs());
        assertEquals(TimeUnit.SECONDS.toNanos(10), context.lockTimeoutNs());
        assertEquals(TimeUnit.SECONDS.toNanos(5), context.openTimeoutNs());
        assertNull(context.threadFactory());
        assertNull(context.errorHandler());

        final RegistryConfig plain = new RegistryConfig();
        final RegistryConfig fromContext = context.registryConfig();
        assertEquals(plain.toString(), fromContext.toString(), "one set of defaults");
    }

    @Test
    void shouldRefuseABadPropertyWhenTheContextIsMadeNamingIt()
    {
        assertBadProperty(ShmConfiguration.LOCK_TIMEOUT_PROP_NAME, "soon");
        assertBadProperty(ShmConfiguration.LIVENESS_TIMEOUT_PROP_NAME, "1.5s");
        assertBadProperty(ShmConfiguration.DOMAIN_SEGMENT_SIZE_PROP_NAME, "64x");
        assertBadProperty(ShmConfiguration.GROUP_SHARED_PROP_NAME, "yes");
        assertBadProperty(ShmConfiguration.JOIN_LOCKOUT_ATTEMPTS_PROP_NAME, "five");
    }

    @Test
    void shouldRefuseRegistrySettingsThatAreNotPositiveAndFillTheThreadFactory()
    {
        assertConcludeRefuses(new ShmContext().lockTimeoutNs(0), "lockTimeoutNs");
        assertConcludeRefuses(new ShmContext().openTimeoutNs(-1), "openTimeoutNs");
        assertConcludeRefuses(new ShmContext().joinLockoutAttempts(0), "joinLockoutAttempts");
        assertConcludeRefuses(new ShmContext().joinLockoutDurationNs(0), "joinLockoutDurationNs");

        final ShmContext context = new ShmContext().conclude();
        assertNotNull(context.threadFactory(), "a default factory once concluded");
        assertNotNull(context.domainId());
    }

    private static long parse(final String value, final TimeUnit bareUnit)
    {
        return ShmConfiguration.parseDurationNs("shmdma.test.duration", value, bareUnit);
    }

    private static void assertBadProperty(final String property, final String value)
    {
        System.setProperty(property, value);
        try
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, ShmContext::new);
            assertTrue(ex.getMessage().contains(property), ex.getMessage());
        }
        finally
        {
            System.clearProperty(property);
        }
    }

    private static void assertConcludeRefuses(final ShmContext context, final String setting)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, context::conclude);
        assertTrue(ex.getMessage().contains(setting), ex.getMessage());
    }
}
