package io.shmdma.shm.registry;

import java.util.concurrent.TimeUnit;

/**
 * Settings of a {@link Registry}: a plain value holder, read by no one but the registry. Fluent setters; getters are
 * named like the field; {@link #validate()} checks the values and is called by {@link Registry#openOrCreate}.
 * A new instance holds the built-in defaults below; {@link io.shmdma.shm.ShmDomain} builds its instance from its
 * {@link io.shmdma.shm.ShmContext}, where system properties ({@link io.shmdma.shm.ShmConfiguration}) apply, and the
 * operator CLI sets what it needs itself. This class reads no system property.
 */
public final class RegistryConfig
{
    /** Default liveness timeout: 500 ms. */
    public static final long LIVENESS_TIMEOUT_DEFAULT_NS = TimeUnit.MILLISECONDS.toNanos(500);
    /** Default wrong tokens in a row before a group's joins are locked out: 5. */
    public static final int JOIN_LOCKOUT_ATTEMPTS_DEFAULT = 5;
    /** Default lockout duration: 1 s. */
    public static final long JOIN_LOCKOUT_DURATION_DEFAULT_NS = TimeUnit.SECONDS.toNanos(1);
    /** Default wait limit for a lock held by a live process: 10 s. */
    public static final long LOCK_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(10);
    /** Default wait limit for an existing file to become ready: 5 s. */
    public static final long OPEN_TIMEOUT_DEFAULT_NS = TimeUnit.SECONDS.toNanos(5);
    /** Default: owner-only files (0600). */
    public static final boolean GROUP_SHARED_DEFAULT = false;

    private long livenessTimeoutNs = LIVENESS_TIMEOUT_DEFAULT_NS;
    private int joinLockoutAttempts = JOIN_LOCKOUT_ATTEMPTS_DEFAULT;
    private long joinLockoutDurationNs = JOIN_LOCKOUT_DURATION_DEFAULT_NS;
    private long lockTimeoutNs = LOCK_TIMEOUT_DEFAULT_NS;
    private long openTimeoutNs = OPEN_TIMEOUT_DEFAULT_NS;
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
