package io.shmdma.shm.registry;

import java.util.concurrent.TimeUnit;

/**
 * Settings of a {@link Registry}, with defaults taken from system properties. Fluent setters; getters are
 * named like the field; {@link #validate()} checks the values and is called by {@link Registry#openOrCreate}.
 * The liveness timeout and group sharing are set by {@link io.shmdma.shm.ShmDomain} from its
 * {@link io.shmdma.shm.ShmContext} (properties {@code shmdma.liveness.timeout.ms}, {@code shmdma.group.shared}),
 * so they have no property here.
 *
 * <table>
 *   <caption>System properties</caption>
 *   <tr><th>property</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #JOIN_LOCKOUT_ATTEMPTS_PROP_NAME}</td><td>5</td>
 *       <td>wrong tokens in a row that lock a group's joins</td></tr>
 *   <tr><td>{@value #JOIN_LOCKOUT_DURATION_PROP_NAME}</td><td>1 s</td>
 *       <td>how long joins of a locked-out group are refused, even with the right token</td></tr>
 *   <tr><td>{@value #LOCK_TIMEOUT_PROP_NAME}</td><td>10 s</td>
 *       <td>longest wait for the registry lock held by a live process; then {@code -ETIMEDOUT}</td></tr>
 *   <tr><td>{@value #OPEN_TIMEOUT_PROP_NAME}</td><td>5 s</td>
 *       <td>longest wait for an existing file's version (ready flag) to become non-zero</td></tr>
 * </table>
 */
public final class RegistryConfig
{
    /** Default liveness timeout. */
    public static final long LIVENESS_TIMEOUT_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(500);
    /** Property: wrong tokens in a row before a group's joins are locked out. */
    public static final String JOIN_LOCKOUT_ATTEMPTS_PROP_NAME = "shmdma.registry.join.lockout.attempts";
    /** Default wrong tokens before lockout. */
    public static final int JOIN_LOCKOUT_ATTEMPTS_DEFAULT = 5;
    /** Property: lockout duration, nanoseconds. */
    public static final String JOIN_LOCKOUT_DURATION_PROP_NAME = "shmdma.registry.join.lockout.ns";
    /** Default lockout duration. */
    public static final long JOIN_LOCKOUT_DURATION_DEFAULT_NS = TimeUnit.SECONDS.toNanos(1);
    /** Property: lock wait limit, nanoseconds. */
    public static final String LOCK_TIMEOUT_PROP_NAME = "shmdma.registry.lock.timeout.ns";
    /** Default lock wait limit. */
    public static final long LOCK_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(10);
    /** Property: wait limit for an existing file to become ready, nanoseconds. */
    public static final String OPEN_TIMEOUT_PROP_NAME = "shmdma.registry.open.timeout.ns";
    /** Default wait limit for an existing file to become ready. */
    public static final long OPEN_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(5);
    /** Default: owner-only files (0600). */
    public static final boolean GROUP_SHARED_DEFAULT = false;

    private long livenessTimeoutNs = LIVENESS_TIMEOUT_DEFAULT_NS;
    private int joinLockoutAttempts =
        Integer.getInteger(JOIN_LOCKOUT_ATTEMPTS_PROP_NAME, JOIN_LOCKOUT_ATTEMPTS_DEFAULT);
    private long joinLockoutDurationNs =
        Long.getLong(JOIN_LOCKOUT_DURATION_PROP_NAME, JOIN_LOCKOUT_DURATION_DEFAULT_NS);
    private long lockTimeoutNs = Long.getLong(LOCK_TIMEOUT_PROP_NAME, LOCK_TIMEOUT_DEFAULT_NS);
    private long openTimeoutNs = Long.getLong(OPEN_TIMEOUT_PROP_NAME, OPEN_TIMEOUT_DEFAULT_NS);
    private boolean groupShared = GROUP_SHARED_DEFAULT;

    /**
     * Checks every value.
     *
     * @return this.
     * @throws IllegalArgumentException naming the first bad value.
     */
    public RegistryConfig validate()
    {
        requirePositive(livenessTimeoutNs, "livenessTimeoutNs");
        requirePositive(joinLockoutAttempts, "joinLockoutAttempts");
        requirePositive(joinLockoutDurationNs, "joinLockoutDurationNs");
        requirePositive(lockTimeoutNs, "lockTimeoutNs");
        requirePositive(openTimeoutNs, "openTimeoutNs");
        return this;
    }

    /**
     * A domain whose heartbeat is older than this is dead.
     *
     * @return nanoseconds.
     */
    public long livenessTimeoutNs()
    {
        return livenessTimeoutNs;
    }

    /**
     * @param livenessTimeoutNs a domain whose heartbeat is older than this is dead, nanoseconds.
     * @return this.
     */
    public RegistryConfig livenessTimeoutNs(final long livenessTimeoutNs)
    {
        this.livenessTimeoutNs = livenessTimeoutNs;
        return this;
    }

    /**
     * Wrong tokens in a row that lock a group's joins.
     *
     * @return the count.
     */
    public int joinLockoutAttempts()
    {
        return joinLockoutAttempts;
    }

    /**
     * @param joinLockoutAttempts wrong tokens in a row that lock a group's joins.
     * @return this.
     */
    public RegistryConfig joinLockoutAttempts(final int joinLockoutAttempts)
    {
        this.joinLockoutAttempts = joinLockoutAttempts;
        return this;
    }

    /**
     * How long a locked-out group refuses joins.
     *
     * @return nanoseconds.
     */
    public long joinLockoutDurationNs()
    {
        return joinLockoutDurationNs;
    }

    /**
     * @param joinLockoutDurationNs how long a locked-out group refuses joins, nanoseconds.
     * @return this.
     */
    public RegistryConfig joinLockoutDurationNs(final long joinLockoutDurationNs)
    {
        this.joinLockoutDurationNs = joinLockoutDurationNs;
        return this;
    }

    /**
     * Longest wait for a lock held by a live process.
     *
     * @return nanoseconds.
     */
    public long lockTimeoutNs()
    {
        return lockTimeoutNs;
    }

    /**
     * @param lockTimeoutNs longest wait for a lock held by a live process, nanoseconds.
     * @return this.
     */
    public RegistryConfig lockTimeoutNs(final long lockTimeoutNs)
    {
        this.lockTimeoutNs = lockTimeoutNs;
        return this;
    }

    /**
     * Longest wait for an existing file to become ready.
     *
     * @return nanoseconds.
     */
    public long openTimeoutNs()
    {
        return openTimeoutNs;
    }

    /**
     * @param openTimeoutNs longest wait for an existing file to become ready, nanoseconds.
     * @return this.
     */
    public RegistryConfig openTimeoutNs(final long openTimeoutNs)
    {
        this.openTimeoutNs = openTimeoutNs;
        return this;
    }

    /**
     * Whether new files are shared with the owner's group (0660) rather than owner-only (0600).
     *
     * @return true for 0660.
     */
    public boolean groupShared()
    {
        return groupShared;
    }

    /**
     * @param groupShared true to create files 0660 instead of 0600.
     * @return this.
     */
    public RegistryConfig groupShared(final boolean groupShared)
    {
        this.groupShared = groupShared;
        return this;
    }

    /** {@inheritDoc} */
    public String toString()
    {
        return "RegistryConfig{livenessTimeoutNs=" + livenessTimeoutNs +
            ", joinLockoutAttempts=" + joinLockoutAttempts +
            ", joinLockoutDurationNs=" + joinLockoutDurationNs +
            ", lockTimeoutNs=" + lockTimeoutNs +
            ", openTimeoutNs=" + openTimeoutNs +
            ", groupShared=" + groupShared + '}';
    }

    private static void requirePositive(final long value, final String name)
    {
        if (value <= 0)
        {
            throw new IllegalArgumentException(name + " must be positive: " + value);
        }
    }
}
