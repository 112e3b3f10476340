package io.shmdma.shm.registry;

/**
 * The operations that take the registry lock, each with the code the holder records in the lock info
 * ({@link ControlSegmentDescriptor#LOCK_OPERATION_OFFSET}) and the label that the takeover of a dead holder's lock
 * names in the error log. The codes are part of the layout: never renumber one.
 */
public enum RegistryOperation
{
    /** No operation recorded: the lock is free, or its holder recorded none. */
    NONE(0, "none"),
    /** Register a domain. */
    REGISTER_DOMAIN(1, "register domain"),
    /** Unregister a domain. */
    UNREGISTER_DOMAIN(2, "unregister domain"),
    /** Reap dead domains. */
    REAP(3, "reap"),
    /** Create a group. */
    CREATE_GROUP(4, "create group"),
    /** Join a group. */
    JOIN_GROUP(5, "join group"),
    /** Leave a group. */
    LEAVE_GROUP(6, "leave group"),
    /** Destroy a group. */
    DESTROY_GROUP(7, "destroy group"),
    /** Look up a handler. */
    HANDLER_GET(8, "handler get"),
    /** Allocate or free device counters. */
    DEVICE_COUNTERS(9, "device counters"),
    /** Claim or release an error log chunk. */
    ERROR_LOG(10, "error log"),
    /** Check (and maybe repair) the tables. */
    CHECK(11, "check"),
    /** Publish or remove a named region. */
    REGION(12, "region");

    private static final RegistryOperation[] BY_CODE = values();

    private final int code;
    private final String label;

    RegistryOperation(final int code, final String label)
    {
        this.code = code;
        this.label = label;
    }

    /**
     * The code stored in the lock info.
     *
     * @return the code.
     */
    public int code()
    {
        return code;
    }

    /**
     * The label, for messages.
     *
     * @return the label, e.g. "join group".
     */
    public String label()
    {
        return label;
    }

    /**
     * The operation of a code read from the segment.
     *
     * @param code any int.
     * @return the operation, or null when the code names none.
     */
    public static RegistryOperation of(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /**
     * The label of a code read from the segment.
     *
     * @param code any int.
     * @return the operation's label, or "operation " followed by the code when the code names none.
     */
    public static String labelOf(final int code)
    {
        final RegistryOperation operation = of(code);
        return null != operation ? operation.label : "operation " + code;
    }
}
