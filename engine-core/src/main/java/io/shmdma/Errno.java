package io.shmdma;

/**
 * The Linux errno values that DPDK's dmadev API returns, negated on the data plane and carried by
 * {@link DmaException} on the control plane.
 */
public final class Errno
{
    /** Operation not permitted. */
    public static final int EPERM = 1;
    /** No such file or directory (here: no such group or domain). */
    public static final int ENOENT = 2;
    /** No such process. */
    public static final int ESRCH = 3;
    /** Input/output error. */
    public static final int EIO = 5;
    /** Try again. */
    public static final int EAGAIN = 11;
    /** Out of memory. */
    public static final int ENOMEM = 12;
    /** Permission denied (here: wrong token). */
    public static final int EACCES = 13;
    /** Device or resource busy. */
    public static final int EBUSY = 16;
    /** Already exists. */
    public static final int EEXIST = 17;
    /** No such device. */
    public static final int ENODEV = 19;
    /** Invalid argument. */
    public static final int EINVAL = 22;
    /** No space left (on a ring, or in a registry table). */
    public static final int ENOSPC = 28;
    /** Operation not supported. */
    public static final int ENOTSUP = 95;
    /** Connection timed out (here: a peer or lock owner did not answer in time). */
    public static final int ETIMEDOUT = 110;

    private Errno()
    {
    }

    /**
     * The symbolic name of an errno value, positive or negative.
     *
     * @param errno to be named, e.g. 22 or -22.
     * @return the name, e.g. {@code "EINVAL"}, or {@code "errno <n>"} when unknown.
     */
    public static String name(final int errno)
    {
        switch (Math.abs(errno))
        {
            case 0: return "OK";
            case EPERM: return "EPERM";
            case ENOENT: return "ENOENT";
            case ESRCH: return "ESRCH";
            case EIO: return "EIO";
            case EAGAIN: return "EAGAIN";
            case ENOMEM: return "ENOMEM";
            case EACCES: return "EACCES";
            case EBUSY: return "EBUSY";
            case EEXIST: return "EEXIST";
            case ENODEV: return "ENODEV";
            case EINVAL: return "EINVAL";
            case ENOSPC: return "ENOSPC";
            case ENOTSUP: return "ENOTSUP";
            case ETIMEDOUT: return "ETIMEDOUT";
            default: return "errno " + Math.abs(errno);
        }
    }

    /**
     * A one-line description of a data-plane return code, like Aeron's {@code Publication.errorString}.
     *
     * @param code a negative errno returned by a data-plane call, or a non-negative ring index.
     * @return the text.
     */
    public static String errorString(final int code)
    {
        if (code >= 0)
        {
            return "OK (ring index " + code + ")";
        }
        switch (-code)
        {
            case ENOSPC: return "ENOSPC: no space left on the descriptor ring";
            case EINVAL: return "EINVAL: invalid argument, or the device/vchan is not usable";
            case ENOTSUP: return "ENOTSUP: the operation is not supported by this device or mode";
            default: return name(code);
        }
    }
}
