package io.shmdma.shm.driver;

import java.util.Locale;

/**
 * Properties of driver mode, with their defaults: the engine mode a {@link io.shmdma.shm.ShmContext} starts from,
 * how long a client waits for the driver, and the driver process's own settings ({@link DriverContext}).
 */
public final class DriverConfiguration
{
    /** Engine mode of a domain: {@code embedded} (an engine thread per device) or {@code driver}. */
    public static final String ENGINE_MODE_PROP_NAME = "shmdma.engine.mode";
    /** Default engine mode: embedded. */
    public static final String ENGINE_MODE_DEFAULT = "embedded";

    /** Longest a client's start or stop waits for the driver to take or hand back its vchans. */
    public static final String DRIVER_TIMEOUT_MS_PROP_NAME = "shmdma.driver.timeout.ms";
    /** Default driver wait: 5 s. */
    public static final long DRIVER_TIMEOUT_MS_DEFAULT = 5_000;

    /** Engine threads of the driver process; vchans are spread over them. */
    public static final String ENGINE_THREADS_PROP_NAME = "shmdma.driver.engine.threads";
    /** Default engine threads: 1. */
    public static final int ENGINE_THREADS_DEFAULT = 1;

    /** Idle strategy of the engine threads: {@code busy-spin}, {@code backoff}, {@code yield} or {@code sleep}. */
    public static final String IDLE_PROP_NAME = "shmdma.driver.idle";
    /** Default idle strategy: backoff. */
    public static final String IDLE_DEFAULT = "backoff";

    /** How often the driver's conductor heartbeats, looks for requests and checks its clients. */
    public static final String CONDUCTOR_INTERVAL_US_PROP_NAME = "shmdma.driver.conductor.interval.us";
    /** Default driver conductor interval: 1 ms, so a device start waits about a millisecond. */
    public static final long CONDUCTOR_INTERVAL_US_DEFAULT = 1_000;

    private DriverConfiguration()
    {
    }

    /**
     * Whether {@value #ENGINE_MODE_PROP_NAME} selects driver mode.
     *
     * @return true for {@code driver}.
     * @throws IllegalArgumentException for a value that is neither {@code embedded} nor {@code driver}.
     */
    public static boolean driverMode()
    {
        final String mode = System.getProperty(ENGINE_MODE_PROP_NAME, ENGINE_MODE_DEFAULT).trim()
            .toLowerCase(Locale.ROOT);
        if (!mode.equals("embedded") && !mode.equals("driver"))
        {
            throw new IllegalArgumentException(ENGINE_MODE_PROP_NAME + " must be embedded or driver: " + mode);
        }
        return mode.equals("driver");
    }

    /**
     * The driver wait from {@value #DRIVER_TIMEOUT_MS_PROP_NAME} or the default.
     *
     * @return milliseconds.
     */
    public static long driverTimeoutMs()
    {
        return Long.getLong(DRIVER_TIMEOUT_MS_PROP_NAME, DRIVER_TIMEOUT_MS_DEFAULT);
    }

    /**
     * The engine threads from {@value #ENGINE_THREADS_PROP_NAME} or the default.
     *
     * @return the count.
     */
    public static int engineThreads()
    {
        return Integer.getInteger(ENGINE_THREADS_PROP_NAME, ENGINE_THREADS_DEFAULT);
    }

    /**
     * The idle strategy name from {@value #IDLE_PROP_NAME} or the default.
     *
     * @return the name.
     */
    public static String idle()
    {
        return System.getProperty(IDLE_PROP_NAME, IDLE_DEFAULT);
    }

    /**
     * The driver conductor interval from {@value #CONDUCTOR_INTERVAL_US_PROP_NAME} or the default.
     *
     * @return microseconds.
     */
    public static long conductorIntervalUs()
    {
        return Long.getLong(CONDUCTOR_INTERVAL_US_PROP_NAME, CONDUCTOR_INTERVAL_US_DEFAULT);
    }
}
