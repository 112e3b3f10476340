package io.shmdma.shm.registry;

/**
 * State of a group slot in the control segment. A mutation that dies half way leaves a group in
 * {@link #CREATING} (rolled back by the next lock holder) or {@link #DESTROYING} (rolled forward).
 */
public enum GroupState
{
    /** The slot is free. */
    FREE(0),
    /** Being created; invisible to snapshots and handler lookups. */
    CREATING(1),
    /** Created and usable. */
    ACTIVE(2),
    /** Being destroyed; invisible to snapshots, its handlers are being revoked. */
    DESTROYING(3);

    private final int code;

    GroupState(final int code)
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
    public static GroupState of(final int code)
    {
        switch (code)
        {
            case 0: return FREE;
            case 1: return CREATING;
            case 2: return ACTIVE;
            case 3: return DESTROYING;
            default: return null;
        }
    }
}
