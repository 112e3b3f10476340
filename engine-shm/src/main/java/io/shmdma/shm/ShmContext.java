package io.shmdma.shm;

import io.shmdma.shm.driver.DriverConfiguration;

import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Configuration of one process's participation, in the manner of Aeron's {@code Context}: fluent setters
 * over {@link ShmConfiguration} defaults, and a once-only {@link #conclude()} that validates. Pass it to
 * {@link ShmDomain#open(ShmContext)}.
 */
public final class ShmContext
{
    private boolean concluded;
    private Path dir = ShmConfiguration.dir();
    private UUID domainId;
    private long domainSegmentSize = ShmConfiguration.domainSegmentSize();
    private long livenessTimeoutNs = TimeUnit.MILLISECONDS.toNanos(ShmConfiguration.livenessTimeoutMs());
    private long conductorIntervalNs = TimeUnit.MILLISECONDS.toNanos(ShmConfiguration.conductorIntervalMs());
    private boolean groupShared = ShmConfiguration.groupShared();
    private EngineMode engineMode = DriverConfiguration.driverMode() ? EngineMode.DRIVER : EngineMode.EMBEDDED;
    private long driverTimeoutNs = TimeUnit.MILLISECONDS.toNanos(DriverConfiguration.driverTimeoutMs());

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
        if (engineMode == null || driverTimeoutNs <= 0)
        {
            throw new IllegalArgumentException("engineMode is required and driverTimeoutNs must be positive: " +
                engineMode + ", " + driverTimeoutNs);
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
            ", groupShared=" + groupShared + ", engineMode=" + engineMode + ", driverTimeoutNs=" + driverTimeoutNs +
            '}';
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
