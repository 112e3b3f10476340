package io.shmdma;

/**
 * The one exception of the control plane: it carries the DPDK errno that {@code rte_dma_*} would
 * have returned (as a positive value; DPDK returns its negation).
 */
public final class DmaException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** The positive errno, e.g. {@link Errno#EINVAL}. */
    private final int errno;

    /**
     * @param errno   the positive errno value.
     * @param message what went wrong, for a person; never contains a token.
     */
    public DmaException(final int errno, final String message)
    {
        super(Errno.name(errno) + ": " + message);
        this.errno = errno;
    }

    /**
     * @param errno   the positive errno value.
     * @param message what went wrong, for a person; never contains a token.
     * @param cause   the underlying failure.
     */
    public DmaException(final int errno, final String message, final Throwable cause)
    {
        super(Errno.name(errno) + ": " + message, cause);
        this.errno = errno;
    }

    /**
     * The errno, positive, as in {@code errno.h}.
     *
     * @return the errno value.
     */
    public int errno()
    {
        return errno;
    }

    /**
     * Throws when a driver's return code is negative.
     *
     * @param result  a driver return code, 0 or positive for success, a negative errno for failure.
     * @param message what was being done.
     * @return the result when it is not negative.
     */
    public static int check(final int result, final String message)
    {
        if (result < 0)
        {
            throw new DmaException(-result, message);
        }
        return result;
    }
}
