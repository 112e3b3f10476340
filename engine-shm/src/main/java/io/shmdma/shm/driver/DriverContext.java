package io.shmdma.shm.driver;

import io.shmdma.shm.ShmConfiguration;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Configuration of a driver process ({@link ShmDriver#launch(DriverContext)}), in the manner of Aeron's
 * {@code MediaDriver.Context}: fluent setters over {@link ShmConfiguration}
 * defaults, and a once-only {@link #conclude()} that validates.
 */
public final class DriverContext
{
    private boolean concluded;
    private Path dir = ShmConfiguration.dir();
    private int engineThreads = ShmConfiguration.driverEngineThreads();
    private String idle = ShmConfiguration.driverIdle();
    private long livenessTimeoutNs = ShmConfiguration.livenessTimeoutNs();
    private long conductorIntervalNs = ShmConfiguration.driverConductorIntervalNs();
    private boolean groupShared = ShmConfiguration.groupShared();

    /**
     * Validates; called by {@link ShmDriver#launch}.
     *
     * @return this.
     * @throws IllegalStateException    when concluded twice.
     * @throws IllegalArgumentException for an invalid value.
     */
    public DriverContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("driver context already concluded");
        }
        if (dir == null)
        {
            throw new IllegalArgumentException("dir is required");
        }
        if (engineThreads < 1 || engineThreads > 64)
        {
            throw new IllegalArgumentException("engineThreads must be in 1..64: " + engineThreads);
        }
        idleStrategy(idle).get();
        if (livenessTimeoutNs <= 0 || conductorIntervalNs <= 0 || conductorIntervalNs > livenessTimeoutNs / 4)
        {
            throw new IllegalArgumentException("livenessTimeoutNs (" + livenessTimeoutNs +
                ") must be at least four times conductorIntervalNs (" + conductorIntervalNs + ")");
        }
        concluded = true;
        return this;
    }

    /**
     * The idle strategy of a name.
     *
     * @param name {@code busy-spin}, {@code backoff}, {@code yield} or {@code sleep} (1 ms).
     * @return a supplier of fresh instances.
     * @throws IllegalArgumentException for another name.
     */
    public static Supplier<IdleStrategy> idleStrategy(final String name)
    {
        switch (name == null ? "" : name.toLowerCase(Locale.ROOT))
        {
            case "busy-spin":
            case "busy_spin":
            case "spin":
                return BusySpinIdleStrategy::new;
            case "backoff":
                return () -> new BackoffIdleStrategy(10, 20, 1_000, 100_000);
            case "yield":
                return YieldingIdleStrategy::new;
            case "sleep":
                return () -> new SleepingMillisIdleStrategy(1);
            default:
                throw new IllegalArgumentException("idle strategy must be busy-spin, backoff, yield or sleep: " + name);
        }
    }

    /**
     * @param dir the shmdma directory whose clients this driver serves.
     * @return this.
     */
    public DriverContext dir(final Path dir)
    {
        this.dir = dir;
        return this;
    }

    /**
     * @return the directory.
     */
    public Path dir()
    {
        return dir;
    }

    /**
     * @param engineThreads engine threads; vchans are spread over them, fewest first.
     * @return this.
     */
    public DriverContext engineThreads(final int engineThreads)
    {
        this.engineThreads = engineThreads;
        return this;
    }

    /**
     * @return the engine threads.
     */
    public int engineThreads()
    {
        return engineThreads;
    }

    /**
     * @param idle the engine threads' idle strategy: {@code busy-spin} (a core each, lowest latency), {@code backoff},
     *             {@code yield} or {@code sleep}.
     * @return this.
     */
    public DriverContext idle(final String idle)
    {
        this.idle = idle;
        return this;
    }

    /**
     * @return the idle strategy's name.
     */
    public String idle()
    {
        return idle;
    }

    /**
     * @param timeoutNs a client domain whose registry heartbeat is older than this is dead (its vchans are let go);
     *                  use the clients' liveness timeout.
     * @return this.
     */
    public DriverContext livenessTimeoutNs(final long timeoutNs)
    {
        this.livenessTimeoutNs = timeoutNs;
        return this;
    }

    /**
     * @return the liveness timeout in nanoseconds.
     */
    public long livenessTimeoutNs()
    {
        return livenessTimeoutNs;
    }

    /**
     * @param intervalNs how often the driver's conductor heartbeats and looks at the slots and its clients.
     * @return this.
     */
    public DriverContext conductorIntervalNs(final long intervalNs)
    {
        this.conductorIntervalNs = intervalNs;
        return this;
    }

    /**
     * @return the conductor interval in nanoseconds.
     */
    public long conductorIntervalNs()
    {
        return conductorIntervalNs;
    }

    /**
     * @param groupShared true for a group-shared directory and driver file (0770/0660).
     * @return this.
     */
    public DriverContext groupShared(final boolean groupShared)
    {
        this.groupShared = groupShared;
        return this;
    }

    /**
     * @return whether files are group-shared.
     */
    public boolean groupShared()
    {
        return groupShared;
    }

    @Override
    public String toString()
    {
        return "DriverContext{dir=" + dir + ", engineThreads=" + engineThreads + ", idle=" + idle +
            ", livenessTimeoutNs=" + livenessTimeoutNs + ", conductorIntervalNs=" + conductorIntervalNs +
            ", groupShared=" + groupShared + '}';
    }
}
