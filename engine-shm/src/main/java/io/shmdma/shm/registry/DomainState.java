package io.shmdma.shm.registry;

/**
 * State of a domain slot in the control segment.
 */
public enum DomainState
{
    /** The slot is free. */
    FREE(0),
    /** A live process owns the slot and heartbeats it. */
    ACTIVE(1),
    /**
     * Being torn down under the lock (unregister or reap); left so only when the process doing it died, and then
     * freed, and reported, by the next reap.
     */
    DEAD(2);

    private final int code;

    DomainState(final int code)
    {
        this.code = code;
    }

    /**
     * The value stored in the segment.
     *
     * @return the code.
     */
    public int code()
    {
        return code;
    }

    /**
     * The state for a stored value.
     *
     * @param code the stored value.
     * @return the state, or null for a value that is not a state (a torn or corrupt entry).
     */
    public static DomainState of(final int code)
    {
        switch (code)
        {
            case 0: return FREE;
            case 1: return ACTIVE;
            case 2: return DEAD;
            default: return null;
        }
    }
}
