package io.shmdma.shm;

import java.nio.file.Path;

/**
 * Every configuration property of the shared-memory layer, with its default. A {@link ShmContext} starts
 * from these and its setters override them.
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

    /** A member whose heartbeat is older than this is dead. */
    public static final String LIVENESS_TIMEOUT_MS_PROP_NAME = "shmdma.liveness.timeout.ms";
    /** Default liveness timeout: 500 ms. */
    public static final long LIVENESS_TIMEOUT_MS_DEFAULT = 500;

    /** How often the conductor writes the heartbeat and looks for dead peers and events. */
    public static final String CONDUCTOR_INTERVAL_MS_PROP_NAME = "shmdma.conductor.interval.ms";
    /** Default conductor interval: 50 ms. */
    public static final long CONDUCTOR_INTERVAL_MS_DEFAULT = 50;

    /** Whether files may be shared with the owner's group (0660/0770) instead of owner-only (0600/0700). */
    public static final String GROUP_SHARED_PROP_NAME = "shmdma.group.shared";
    /** Default: owner-only. */
    public static final boolean GROUP_SHARED_DEFAULT = false;

    private ShmConfiguration()
    {
    }

    /**
     * The directory from {@value #DIR_PROP_NAME} or the default.
     *
     * @return the directory.
     */
    public static Path dir()
    {
        return Path.of(System.getProperty(DIR_PROP_NAME, DIR_DEFAULT));
    }

    /**
     * The domain segment size from {@value #DOMAIN_SEGMENT_SIZE_PROP_NAME} or the default.
     *
     * @return bytes.
     */
    public static long domainSegmentSize()
    {
        return Long.getLong(DOMAIN_SEGMENT_SIZE_PROP_NAME, DOMAIN_SEGMENT_SIZE_DEFAULT);
    }

    /**
     * The liveness timeout from {@value #LIVENESS_TIMEOUT_MS_PROP_NAME} or the default.
     *
     * @return milliseconds.
     */
    public static long livenessTimeoutMs()
    {
        return Long.getLong(LIVENESS_TIMEOUT_MS_PROP_NAME, LIVENESS_TIMEOUT_MS_DEFAULT);
    }

    /**
     * The conductor interval from {@value #CONDUCTOR_INTERVAL_MS_PROP_NAME} or the default.
     *
     * @return milliseconds.
     */
    public static long conductorIntervalMs()
    {
        return Long.getLong(CONDUCTOR_INTERVAL_MS_PROP_NAME, CONDUCTOR_INTERVAL_MS_DEFAULT);
    }

    /**
     * Whether files are group-shared, from {@value #GROUP_SHARED_PROP_NAME} or the default.
     *
     * @return true for 0660/0770.
     */
    public static boolean groupShared()
    {
        return Boolean.parseBoolean(System.getProperty(GROUP_SHARED_PROP_NAME, String.valueOf(GROUP_SHARED_DEFAULT)));
    }
}
