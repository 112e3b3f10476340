package io.shmdma.shm;

import io.shmdma.engine.EngineThreading;
import io.shmdma.shm.registry.RegistryConfig;
import org.agrona.ErrorHandler;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.ThreadFactory;

/**
 * Configuration of one process's participation, in the manner of Aeron's {@code Context}: fluent setters over
 * {@link ShmConfiguration} defaults (system properties, read when the context is made), getters named like the
 * setting, and a once-only {@link #conclude()} that validates and fills what was left unset. Pass it to
 * {@link ShmDomain#open(ShmContext)}. Durations are nanoseconds; every setting and property is listed in
 * {@code docs/configuration.md}. Not thread-safe: configure it on one thread, then open the domain.
 */
public final class ShmContext
{
    private boolean concluded;
    private Path dir = ShmConfiguration.dir();
    private UUID domainId;
    private long domainSegmentSize = ShmConfiguration.domainSegmentSize();
    private long livenessTimeoutNs = ShmConfiguration.livenessTimeoutNs();
    private long conductorIntervalNs = ShmConfiguration.conductorIntervalNs();
    private boolean groupShared = ShmConfiguration.groupShared();
    private int joinLockoutAttempts = ShmConfiguration.joinLockoutAttempts();
    private long joinLockoutDurationNs = ShmConfiguration.joinLockoutDurationNs();
    private long lockTimeoutNs = ShmConfiguration.lockTimeoutNs();
    private long openTimeoutNs = ShmConfiguration.openTimeoutNs();
    private ThreadFactory threadFactory;
    private ErrorHandler errorHandler;
    private EngineMode engineMode = ShmConfiguration.engineMode();
    private long driverTimeoutNs = ShmConfiguration.driverTimeoutNs();

    /**
     * Validates and fills defaults; called by {@link ShmDomain#open}.
     *
     * @return this.
     * @throws IllegalStateException when concluded twice.
     * @throws IllegalArgumentException for an invalid value.
     */
    public ShmContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("context already concluded");
        }
        if (dir == null)
        {
            throw new IllegalArgumentException("dir is required");
        }
        if (domainId == null)
        {
            domainId = UUID.randomUUID();
        }
        if (domainSegmentSize < 4096 || domainSegmentSize > DomainSegmentDescriptor.MAX_DATA_LENGTH)
        {
            throw new IllegalArgumentException("domainSegmentSize must be in 4096.." +
                DomainSegmentDescriptor.MAX_DATA_LENGTH + " bytes: " + domainSegmentSize);
        }
        if (conductorIntervalNs <= 0 || livenessTimeoutNs <= 0 || conductorIntervalNs > livenessTimeoutNs / 2)
        {
            throw new IllegalArgumentException("livenessTimeoutNs (" + livenessTimeoutNs +
                ") must be at least twice conductorIntervalNs (" + conductorIntervalNs + ")");
        }
        requirePositive(joinLockoutAttempts, "joinLockoutAttempts");
        requirePositive(joinLockoutDurationNs, "joinLockoutDurationNs");
        requirePositive(lockTimeoutNs, "lockTimeoutNs");
        requirePositive(openTimeoutNs, "openTimeoutNs");
        requirePositive(driverTimeoutNs, "driverTimeoutNs");
        if (null == engineMode)
        {
            throw new IllegalArgumentException("engineMode is required");
        }
        if (null == threadFactory)
        {
            threadFactory = Thread::new;
        }
        concluded = true;
        return this;
    }

    /**
     * @param dir the directory of the mapped files.
     * @return this.
     */
    public ShmContext dir(final Path dir)
    {
        this.dir = dir;
        return this;
    }

    /**
     * @return the directory of the mapped files.
     */
    public Path dir()
    {
        return dir;
    }

    /**
     * @param domainId this process's domain; random when not set.
     * @return this.
     */
    public ShmContext domainId(final UUID domainId)
    {
        this.domainId = domainId;
        return this;
    }

    /**
     * @return this process's domain.
     */
    public UUID domainId()
    {
        return domainId;
    }

    /**
     * @param bytes DMA-able memory in this process's domain segment; several GiB are fine.
     * @return this.
     */
    public ShmContext domainSegmentSize(final long bytes)
    {
        this.domainSegmentSize = bytes;
        return this;
    }

    /**
     * @return DMA-able bytes in this process's domain segment.
     */
    public long domainSegmentSize()
    {
        return domainSegmentSize;
    }

    /**
     * @param timeoutNs a member whose heartbeat is older than this is treated as dead.
     * @return this.
     */
    public ShmContext livenessTimeoutNs(final long timeoutNs)
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
     * @param intervalNs how often the conductor heartbeats and looks for dead peers and events.
     * @return this.
     */
    public ShmContext conductorIntervalNs(final long intervalNs)
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
     * @param groupShared true for group-shared files (0660/0770), false for owner-only (0600/0700).
     * @return this.
     */
    public ShmContext groupShared(final boolean groupShared)
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

    /**
     * @param attempts wrong tokens in a row that lock a group's joins.
     * @return this.
     */
    public ShmContext joinLockoutAttempts(final int attempts)
    {
        this.joinLockoutAttempts = attempts;
        return this;
    }

    /**
     * @return wrong tokens in a row that lock a group's joins.
     */
    public int joinLockoutAttempts()
    {
        return joinLockoutAttempts;
    }

    /**
     * @param durationNs how long joins of a locked-out group are refused, even with the right token.
     * @return this.
     */
    public ShmContext joinLockoutDurationNs(final long durationNs)
    {
        this.joinLockoutDurationNs = durationNs;
        return this;
    }

    /**
     * @return the join lockout duration in nanoseconds.
     */
    public long joinLockoutDurationNs()
    {
        return joinLockoutDurationNs;
    }

    /**
     * @param timeoutNs longest wait for the registry lock held by a live process; then {@code -ETIMEDOUT}.
     * @return this.
     */
    public ShmContext lockTimeoutNs(final long timeoutNs)
    {
        this.lockTimeoutNs = timeoutNs;
        return this;
    }

    /**
     * @return the registry lock wait limit in nanoseconds.
     */
    public long lockTimeoutNs()
    {
        return lockTimeoutNs;
    }

    /**
     * @param timeoutNs longest wait for an existing control segment to become ready (its creator publishes the
     *                  layout version last); then {@code ETIMEDOUT} naming the file.
     * @return this.
     */
    public ShmContext openTimeoutNs(final long timeoutNs)
    {
        this.openTimeoutNs = timeoutNs;
        return this;
    }

    /**
     * @return the wait limit for an existing control segment to become ready, in nanoseconds.
     */
    public long openTimeoutNs()
    {
        return openTimeoutNs;
    }

    /**
     * Makes the domain's threads: the conductor, the group event delivery thread and the engine threads of devices
     * made by {@link ShmDomain#createDevice} whose {@link EngineThreading} has no factory of its own. Use it to pin
     * threads to cores or to set their priority. It must return a new, unstarted thread that runs the given runnable;
     * shmdma then names it ({@code shmdma-conductor-<domain>}, {@code shmdma-events-<domain>},
     * {@code shmdma-engine-<device>}) and makes the delivery thread a daemon (a listener still blocked at close
     * must not keep the JVM alive). Default: {@code Thread::new}, whose threads inherit the daemon status of the
     * thread that makes them (the thread opening the domain, or starting the device).
     *
     * @param threadFactory makes the threads; null for the default.
     * @return this.
     */
    public ShmContext threadFactory(final ThreadFactory threadFactory)
    {
        this.threadFactory = threadFactory;
        return this;
    }

    /**
     * @return the thread factory; the default once concluded when none was set.
     */
    public ThreadFactory threadFactory()
    {
        return threadFactory;
    }

    /**
     * Receives every error the domain records, in addition to the shared error log ({@code shmdma errors}): the
     * conductor's, group event listeners' and devices' (engine agent errors, rings found forged or corrupt). It runs
     * on the group event delivery thread, after the events queued before it, never on an engine or the conductor
     * thread; errors recorded while the domain opens or after it closed are passed on the thread recording them. What
     * it throws is caught and written to the shared error log. Errors the registry itself logs while holding its lock
     * (dead domains reaped, join lockouts, lock takeovers) are in the shared log only.
     *
     * @param errorHandler the handler; null for none.
     * @return this.
     */
    public ShmContext errorHandler(final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        return this;
    }

    /**
     * @return the error handler, or null.
     */
    public ErrorHandler errorHandler()
    {
        return errorHandler;
    }

    /**
     * The registry's settings, from this context.
     *
     * @return a new config.
     */
    RegistryConfig registryConfig()
    {
        return new RegistryConfig()
            .livenessTimeoutNs(livenessTimeoutNs)
            .groupShared(groupShared)
            .joinLockoutAttempts(joinLockoutAttempts)
            .joinLockoutDurationNs(joinLockoutDurationNs)
            .lockTimeoutNs(lockTimeoutNs)
            .openTimeoutNs(openTimeoutNs);
    }

    /**
     * @param engineMode who runs the engines of this domain's devices: an engine thread per device in this process
     *                   ({@link EngineMode#EMBEDDED}, the default) or a shmdma driver process
     *                   ({@link EngineMode#DRIVER}).
     * @return this.
     */
    public ShmContext engineMode(final EngineMode engineMode)
    {
        this.engineMode = engineMode;
        return this;
    }

    /**
     * @return who runs the engines of this domain's devices.
     */
    public EngineMode engineMode()
    {
        return engineMode;
    }

    /**
     * @param timeoutNs driver mode: longest a device's start waits for the driver to take its vchans (and stop to
     *                  have them back) before it fails naming the directory.
     * @return this.
     */
    public ShmContext driverTimeoutNs(final long timeoutNs)
    {
        this.driverTimeoutNs = timeoutNs;
        return this;
    }

    /**
     * @return the driver wait in nanoseconds.
     */
    public long driverTimeoutNs()
    {
        return driverTimeoutNs;
    }

    @Override
    public String toString()
    {
        return "ShmContext{dir=" + dir + ", domainId=" + domainId + ", domainSegmentSize=" + domainSegmentSize +
            ", livenessTimeoutNs=" + livenessTimeoutNs + ", conductorIntervalNs=" + conductorIntervalNs +
            ", groupShared=" + groupShared + ", joinLockoutAttempts=" + joinLockoutAttempts +
            ", joinLockoutDurationNs=" + joinLockoutDurationNs + ", lockTimeoutNs=" + lockTimeoutNs +
            ", openTimeoutNs=" + openTimeoutNs + ", threadFactory=" + threadFactory +
            ", errorHandler=" + errorHandler + ", engineMode=" + engineMode + ", driverTimeoutNs=" + driverTimeoutNs +
            '}';
    }

    private static void requirePositive(final long value, final String name)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }

    /** Who runs the engines of a domain's devices. */
    public enum EngineMode
    {
        /** An engine agent per started device, in this process (its own thread, or inline). */
        EMBEDDED,
        /** The shmdma driver process of the directory ({@code ./shmdma driver}); this process runs no engine. */
        DRIVER
    }
}
