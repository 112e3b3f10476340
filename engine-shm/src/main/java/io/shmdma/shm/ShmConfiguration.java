package io.shmdma.shm;

import io.shmdma.shm.registry.RegistryConfig;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Every configuration property of the shared-memory layer, with its default, in the manner of Aeron's
 * {@code Configuration}: {@code X_PROP_NAME} / {@code X_DEFAULT} pairs and one reader per setting. This is the only
 * class that reads system properties; a {@link ShmContext} starts from these values and its setters override them.
 * <p>
 * Durations are nanoseconds in code. A duration property takes a whole number with an optional unit, {@code ns},
 * {@code us}, {@code ms} or {@code s} ("500ms", "3s", "250us", "10ns"); a bare number is in the unit its name
 * ends with ({@code .ms} or {@code .ns}), as before units were accepted. A size property takes bytes, or a whole
 * number with {@code k}, {@code m} or {@code g} (KiB, MiB, GiB). A value that does not parse is an
 * {@link IllegalArgumentException} naming the property, thrown where the value is read (a new {@link ShmContext}).
 * The defaults of the registry's settings are {@link RegistryConfig}'s built-in ones, so the two cannot drift.
 */
public final class ShmConfiguration
{
    /** Directory of the mapped files. */
    public static final String DIR_PROP_NAME = "shmdma.dir";
    /** Default directory: {@code /dev/shm/shmdma-<user>}. */
    public static final String DIR_DEFAULT = "/dev/shm/shmdma-" + System.getProperty("user.name", "default");

    /** Bytes of DMA-able memory in this process's domain segment. */
    public static final String DOMAIN_SEGMENT_SIZE_PROP_NAME = "shmdma.domain.segment.size";
    /** Default domain segment size: 64 MiB. */
    public static final long DOMAIN_SEGMENT_SIZE_DEFAULT = 64L * 1024 * 1024;

    /** A member whose heartbeat is older than this is dead; a bare number is milliseconds. */
    public static final String LIVENESS_TIMEOUT_PROP_NAME = "shmdma.liveness.timeout.ms";
    /** Default liveness timeout: 500 ms. */
    public static final long LIVENESS_TIMEOUT_DEFAULT_NS = RegistryConfig.LIVENESS_TIMEOUT_DEFAULT_NS;

    /** How often the conductor writes the heartbeat and looks for dead peers and events; a bare number is ms. */
    public static final String CONDUCTOR_INTERVAL_PROP_NAME = "shmdma.conductor.interval.ms";
    /** Default conductor interval: 50 ms. */
    public static final long CONDUCTOR_INTERVAL_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(50);

    /** Whether files may be shared with the owner's group (0660/0770) instead of owner-only (0600/0700). */
    public static final String GROUP_SHARED_PROP_NAME = "shmdma.group.shared";
    /** Default: owner-only. */
    public static final boolean GROUP_SHARED_DEFAULT = RegistryConfig.GROUP_SHARED_DEFAULT;

    /** Wrong tokens in a row that lock a group's joins. */
    public static final String JOIN_LOCKOUT_ATTEMPTS_PROP_NAME = "shmdma.registry.join.lockout.attempts";
    /** Default wrong tokens before a lockout: 5. */
    public static final int JOIN_LOCKOUT_ATTEMPTS_DEFAULT = RegistryConfig.JOIN_LOCKOUT_ATTEMPTS_DEFAULT;

    /** How long joins of a locked-out group are refused, even with the right token; a bare number is ns. */
    public static final String JOIN_LOCKOUT_DURATION_PROP_NAME = "shmdma.registry.join.lockout.ns";
    /** Default lockout duration: 1 s. */
    public static final long JOIN_LOCKOUT_DURATION_DEFAULT_NS = RegistryConfig.JOIN_LOCKOUT_DURATION_DEFAULT_NS;

    /** Longest wait for the registry lock held by a live process; a bare number is ns. */
    public static final String LOCK_TIMEOUT_PROP_NAME = "shmdma.registry.lock.timeout.ns";
    /** Default lock wait limit: 10 s. */
    public static final long LOCK_TIMEOUT_DEFAULT_NS = RegistryConfig.LOCK_TIMEOUT_DEFAULT_NS;

    /** Longest wait for an existing control segment to become ready (non-zero version); a bare number is ns. */
    public static final String OPEN_TIMEOUT_PROP_NAME = "shmdma.registry.open.timeout.ns";
    /** Default wait for an existing control segment to become ready: 5 s. */
    public static final long OPEN_TIMEOUT_DEFAULT_NS = RegistryConfig.OPEN_TIMEOUT_DEFAULT_NS;

    /** Who runs the engines of this process's devices: {@code embedded} (an engine per device) or {@code driver}. */
    public static final String ENGINE_MODE_PROP_NAME = "shmdma.engine.mode";
    /** Default engine mode: embedded. */
    public static final ShmContext.EngineMode ENGINE_MODE_DEFAULT = ShmContext.EngineMode.EMBEDDED;

    /** Driver mode: longest a device's start or stop waits for the driver; a bare number is ms. */
    public static final String DRIVER_TIMEOUT_PROP_NAME = "shmdma.driver.timeout.ms";
    /** Default driver wait: 5 s. */
    public static final long DRIVER_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(5);

    /** The driver process: engine threads its devices are spread over. */
    public static final String DRIVER_ENGINE_THREADS_PROP_NAME = "shmdma.driver.engine.threads";
    /** Default driver engine threads: 1. */
    public static final int DRIVER_ENGINE_THREADS_DEFAULT = 1;

    /** The driver process: idle strategy of its engine threads, busy-spin, backoff, yield or sleep. */
    public static final String DRIVER_IDLE_PROP_NAME = "shmdma.driver.idle";
    /** Default driver idle strategy: backoff. */
    public static final String DRIVER_IDLE_DEFAULT = "backoff";

    /** The driver process: how often its conductor takes requests and checks clients; a bare number is us. */
    public static final String DRIVER_CONDUCTOR_INTERVAL_PROP_NAME = "shmdma.driver.conductor.interval.us";
    /** Default driver conductor interval: 1 ms. */
    public static final long DRIVER_CONDUCTOR_INTERVAL_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private ShmConfiguration()
    {
    }

    /**
     * The directory from {@value #DIR_PROP_NAME} or the default.
     *
     * @return the directory.
     * @throws IllegalArgumentException naming the property when the value is not a path.
     */
    public static Path dir()
    {
        final String value = System.getProperty(DIR_PROP_NAME, DIR_DEFAULT);
        try
        {
            return Path.of(value);
        }
        catch (final RuntimeException ex)
        {
            throw new IllegalArgumentException(DIR_PROP_NAME + "=" + value + " is not a path: " + ex.getMessage(), ex);
        }
    }

    /**
     * The domain segment size from {@value #DOMAIN_SEGMENT_SIZE_PROP_NAME} or the default.
     *
     * @return bytes.
     * @throws IllegalArgumentException naming the property when the value is not a size.
     */
    public static long domainSegmentSize()
    {
        final String value = System.getProperty(DOMAIN_SEGMENT_SIZE_PROP_NAME);
        return null == value ? DOMAIN_SEGMENT_SIZE_DEFAULT : parseSize(DOMAIN_SEGMENT_SIZE_PROP_NAME, value);
    }

    /**
     * The liveness timeout from {@value #LIVENESS_TIMEOUT_PROP_NAME} (a bare number is ms) or the default.
     *
     * @return nanoseconds.
     * @throws IllegalArgumentException naming the property when the value is not a duration.
     */
    public static long livenessTimeoutNs()
    {
        return durationNs(LIVENESS_TIMEOUT_PROP_NAME, LIVENESS_TIMEOUT_DEFAULT_NS, TimeUnit.MILLISECONDS);
    }

    /**
     * The conductor interval from {@value #CONDUCTOR_INTERVAL_PROP_NAME} (a bare number is ms) or the default.
     *
     * @return nanoseconds.
     * @throws IllegalArgumentException naming the property when the value is not a duration.
     */
    public static long conductorIntervalNs()
    {
        return durationNs(CONDUCTOR_INTERVAL_PROP_NAME, CONDUCTOR_INTERVAL_DEFAULT_NS, TimeUnit.MILLISECONDS);
    }

    /**
     * Whether files are group-shared, from {@value #GROUP_SHARED_PROP_NAME} or the default.
     *
     * @return true for 0660/0770.
     * @throws IllegalArgumentException naming the property when the value is neither true nor false.
     */
    public static boolean groupShared()
    {
        final String value = System.getProperty(GROUP_SHARED_PROP_NAME);
        if (null == value)
        {
            return GROUP_SHARED_DEFAULT;
        }
        final String trimmed = value.trim();
        if ("true".equalsIgnoreCase(trimmed) || "false".equalsIgnoreCase(trimmed))
        {
            return Boolean.parseBoolean(trimmed);
        }
        throw new IllegalArgumentException(GROUP_SHARED_PROP_NAME + "=" + value + " is neither true nor false");
    }

    /**
     * Wrong tokens in a row that lock a group's joins, from {@value #JOIN_LOCKOUT_ATTEMPTS_PROP_NAME} or the default.
     *
     * @return the count.
     * @throws IllegalArgumentException naming the property when the value is not a whole number.
     */
    public static int joinLockoutAttempts()
    {
        final String value = System.getProperty(JOIN_LOCKOUT_ATTEMPTS_PROP_NAME);
        if (null == value)
        {
            return JOIN_LOCKOUT_ATTEMPTS_DEFAULT;
        }
        try
        {
            return Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(
                JOIN_LOCKOUT_ATTEMPTS_PROP_NAME + "=" + value + " is not a whole number", ex);
        }
    }

    /**
     * How long a locked-out group refuses joins, from {@value #JOIN_LOCKOUT_DURATION_PROP_NAME} (a bare number is
     * ns) or the default.
     *
     * @return nanoseconds.
     * @throws IllegalArgumentException naming the property when the value is not a duration.
     */
    public static long joinLockoutDurationNs()
    {
        return durationNs(JOIN_LOCKOUT_DURATION_PROP_NAME, JOIN_LOCKOUT_DURATION_DEFAULT_NS, TimeUnit.NANOSECONDS);
    }

    /**
     * The registry lock wait limit, from {@value #LOCK_TIMEOUT_PROP_NAME} (a bare number is ns) or the default.
     *
     * @return nanoseconds.
     * @throws IllegalArgumentException naming the property when the value is not a duration.
     */
    public static long lockTimeoutNs()
    {
        return durationNs(LOCK_TIMEOUT_PROP_NAME, LOCK_TIMEOUT_DEFAULT_NS, TimeUnit.NANOSECONDS);
    }

    /**
     * The wait limit for an existing control segment to become ready, from {@value #OPEN_TIMEOUT_PROP_NAME} (a bare
     * number is ns) or the default.
     *
     * @return nanoseconds.
     * @throws IllegalArgumentException naming the property when the value is not a duration.
     */
    public static long openTimeoutNs()
    {
        return durationNs(OPEN_TIMEOUT_PROP_NAME, OPEN_TIMEOUT_DEFAULT_NS, TimeUnit.NANOSECONDS);
    }

    /**
     * The engine mode from {@value #ENGINE_MODE_PROP_NAME} ({@code embedded} or {@code driver}) or the default.
     *
     * @return the mode.
     * @throws IllegalArgumentException naming the property for any other value.
     */
    public static ShmContext.EngineMode engineMode()
    {
        final String value = System.getProperty(ENGINE_MODE_PROP_NAME);
        if (null == value)
        {
            return ENGINE_MODE_DEFAULT;
        }
        switch (value.trim().toLowerCase(Locale.ROOT))
        {
            case "embedded":
                return ShmContext.EngineMode.EMBEDDED;
            case "driver":
                return ShmContext.EngineMode.DRIVER;
            default:
                throw new IllegalArgumentException(ENGINE_MODE_PROP_NAME + "=" + value +
                    " is neither embedded nor driver");
        }
    }

    /**
     * The driver wait from {@value #DRIVER_TIMEOUT_PROP_NAME} (a bare number is ms) or the default.
     *
     * @return nanoseconds.
     * @throws IllegalArgumentException naming the property when the value is not a duration.
     */
    public static long driverTimeoutNs()
    {
        return durationNs(DRIVER_TIMEOUT_PROP_NAME, DRIVER_TIMEOUT_DEFAULT_NS, TimeUnit.MILLISECONDS);
    }

    /**
     * The driver's engine threads from {@value #DRIVER_ENGINE_THREADS_PROP_NAME} or the default.
     *
     * @return the count.
     * @throws IllegalArgumentException naming the property when the value is not a whole number.
     */
    public static int driverEngineThreads()
    {
        final String value = System.getProperty(DRIVER_ENGINE_THREADS_PROP_NAME);
        if (null == value)
        {
            return DRIVER_ENGINE_THREADS_DEFAULT;
        }
        try
        {
            return Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(DRIVER_ENGINE_THREADS_PROP_NAME + "=" + value +
                " is not a whole number");
        }
    }

    /**
     * The driver's idle strategy name from {@value #DRIVER_IDLE_PROP_NAME} or the default; checked by the driver.
     *
     * @return the name.
     */
    public static String driverIdle()
    {
        return System.getProperty(DRIVER_IDLE_PROP_NAME, DRIVER_IDLE_DEFAULT);
    }

    /**
     * The driver conductor's interval from {@value #DRIVER_CONDUCTOR_INTERVAL_PROP_NAME} (a bare number is us) or
     * the default.
     *
     * @return nanoseconds.
     * @throws IllegalArgumentException naming the property when the value is not a duration.
     */
    public static long driverConductorIntervalNs()
    {
        return durationNs(DRIVER_CONDUCTOR_INTERVAL_PROP_NAME, DRIVER_CONDUCTOR_INTERVAL_DEFAULT_NS,
            TimeUnit.MICROSECONDS);
    }

    /**
     * Parses a duration: a whole number with an optional unit {@code ns}, {@code us}, {@code ms} or {@code s}
     * (case-insensitive, blanks allowed between number and unit).
     *
     * @param propertyName named in the exception.
     * @param value        e.g. "500ms", "3s", "250us", "10ns", or "500" in {@code bareUnit}.
     * @param bareUnit     the unit of a number without one.
     * @return nanoseconds, not negative.
     * @throws IllegalArgumentException naming the property for a missing, negative, fractional, too large or
     *                                  otherwise unparsable value, or an unknown unit.
     */
    public static long parseDurationNs(final String propertyName, final String value, final TimeUnit bareUnit)
    {
        final String text = null == value ? "" : value.trim().toLowerCase(Locale.ROOT);
        final int digits = countDigits(text);
        final String unitText = text.substring(digits).trim();
        final TimeUnit unit;
        switch (unitText)
        {
            case "":
                unit = bareUnit;
                break;
            case "ns":
                unit = TimeUnit.NANOSECONDS;
                break;
            case "us":
                unit = TimeUnit.MICROSECONDS;
                break;
            case "ms":
                unit = TimeUnit.MILLISECONDS;
                break;
            case "s":
                unit = TimeUnit.SECONDS;
                break;
            default:
                unit = null;
                break;
        }
        if (0 == digits || null == unit)
        {
            throw new IllegalArgumentException(propertyName + "=" + value + " is not a duration: use a whole number " +
                "with an optional unit ns, us, ms or s (a bare number is " + unitName(bareUnit) + ")");
        }
        final long amount = parseWhole(propertyName, value, text.substring(0, digits));
        final long ns = unit.toNanos(amount);
        if (Long.MAX_VALUE == ns)
        {
            throw new IllegalArgumentException(propertyName + "=" + value + " is too long a duration");
        }
        return ns;
    }

    /**
     * Parses a size: a whole number of bytes, or with a unit {@code k}, {@code m} or {@code g} (KiB, MiB, GiB;
     * case-insensitive).
     *
     * @param propertyName named in the exception.
     * @param value        e.g. "67108864", "64m", "2g".
     * @return bytes, not negative.
     * @throws IllegalArgumentException naming the property for a value that does not parse or overflows.
     */
    public static long parseSize(final String propertyName, final String value)
    {
        final String text = null == value ? "" : value.trim().toLowerCase(Locale.ROOT);
        final int digits = countDigits(text);
        final String unitText = text.substring(digits).trim();
        final int shift;
        switch (unitText)
        {
            case "":
                shift = 0;
                break;
            case "k":
                shift = 10;
                break;
            case "m":
                shift = 20;
                break;
            case "g":
                shift = 30;
                break;
            default:
                shift = -1;
                break;
        }
        if (0 == digits || shift < 0)
        {
            throw new IllegalArgumentException(propertyName + "=" + value + " is not a size: use a whole number " +
                "of bytes, or with a unit k, m or g");
        }
        final long amount = parseWhole(propertyName, value, text.substring(0, digits));
        if (amount > (Long.MAX_VALUE >> shift))
        {
            throw new IllegalArgumentException(propertyName + "=" + value + " is too large a size");
        }
        return amount << shift;
    }

    private static long durationNs(final String propertyName, final long defaultNs, final TimeUnit bareUnit)
    {
        final String value = System.getProperty(propertyName);
        return null == value ? defaultNs : parseDurationNs(propertyName, value, bareUnit);
    }

    private static int countDigits(final String text)
    {
        int digits = 0;
        while (digits < text.length() && text.charAt(digits) >= '0' && text.charAt(digits) <= '9')
        {
            digits++;
        }
        return digits;
    }

    private static long parseWhole(final String propertyName, final String value, final String digits)
    {
        try
        {
            return Long.parseLong(digits);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(propertyName + "=" + value + " is too large", ex);
        }
    }

    private static String unitName(final TimeUnit unit)
    {
        return TimeUnit.MILLISECONDS == unit ? "ms" : TimeUnit.MICROSECONDS == unit ? "us" :
            TimeUnit.SECONDS == unit ? "s" : "ns";
    }
}
