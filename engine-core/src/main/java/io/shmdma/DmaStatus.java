package io.shmdma;

/**
 * Completion status of one job ({@code enum rte_dma_status_code}), with DPDK's numeric codes.
 */
public enum DmaStatus
{
    /** The job completed successfully. */
    SUCCESSFUL(0),
    /** Aborted by the user, e.g. by a stop. */
    USER_ABORT(1),
    /** Not attempted because it followed a fence after a failed job. */
    NOT_ATTEMPTED(2),
    /** The source address is not in the source domain, or its domain is gone. */
    INVALID_SRC_ADDR(3),
    /** The destination address is not in the destination domain, or its domain is gone. */
    INVALID_DST_ADDR(4),
    /** Source or destination invalid, undistinguished. */
    INVALID_ADDR(5),
    /** The length is zero, too large, or the ranges overflow. */
    INVALID_LENGTH(6),
    /** The descriptor holds an unknown operation. */
    INVALID_OPCODE(7),
    /** Bus read error. */
    BUS_READ_ERROR(8),
    /** Bus write error. */
    BUS_WRITE_ERROR(9),
    /** Bus error, undistinguished. */
    BUS_ERROR(10),
    /** Data poisoned ({@code RTE_DMA_STATUS_DATA_POISION} in DPDK's spelling). */
    DATA_POISON(11),
    /** The descriptor could not be read. */
    DESCRIPTOR_READ_ERROR(12),
    /** The device link failed. */
    DEV_LINK_ERROR(13),
    /** A page fault. */
    PAGE_FAULT(14),
    /** Any other error. */
    ERROR_UNKNOWN(0x100);

    private static final DmaStatus[] BY_CODE = new DmaStatus[15];

    static
    {
        for (final DmaStatus status : values())
        {
            if (status.code < BY_CODE.length)
            {
                BY_CODE[status.code] = status;
            }
        }
    }

    private final int code;

    DmaStatus(final int code)
    {
        this.code = code;
    }

    /**
     * DPDK's numeric value.
     *
     * @return the code.
     */
    public int code()
    {
        return code;
    }

    /**
     * The status of a numeric code, without allocating.
     *
     * @param code to be looked up.
     * @return the status; {@link #ERROR_UNKNOWN} for a code DPDK does not define.
     */
    public static DmaStatus of(final int code)
    {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : ERROR_UNKNOWN;
    }
}
