package io.shmdma;

import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Assertions for bad-input tests: a call must fail with DPDK's errno or a documented exception with a clear
 * message, never with a NullPointerException, IndexOutOfBoundsException, ClassCastException or the like.
 */
public final class BadInputAssertions
{
    /** Values that are never a valid vchan of a one-vchan device. */
    public static final int[] BAD_VCHANS = { -1, 1, 2, 0xFFFE, 0xFFFF, 0x10000, Integer.MIN_VALUE, Integer.MAX_VALUE };
    /** Flag words with bits a memory-to-memory job may not carry. */
    public static final long[] BAD_OP_FLAGS = { OpFlags.AUTO_FREE, 1L << 4, 1L << 31, 1L << 62, 1L << 63, -1L };

    private BadInputAssertions()
    {
    }

    /**
     * Asserts a control-plane call throws a {@link DmaException} with an errno and a message.
     *
     * @param errno  the expected positive errno.
     * @param call   the call.
     * @param reason what was wrong, for the failure message.
     * @return the exception.
     */
    public static DmaException assertErrno(final int errno, final Executable call, final String reason)
    {
        final Throwable thrown = assertThrows(Throwable.class, call, reason + ": should have failed");
        if (!(thrown instanceof DmaException))
        {
            fail(reason + ": expected DmaException " + Errno.name(errno) + " but got " + thrown, thrown);
        }
        final DmaException ex = (DmaException)thrown;
        assertEquals(Errno.name(errno), Errno.name(ex.errno()), reason + ": " + ex.getMessage());
        assertClearMessage(ex);
        return ex;
    }

    /**
     * Asserts a call throws exactly one of the documented exception types with a clear message.
     *
     * @param type   the expected type (IllegalArgumentException or IllegalStateException).
     * @param call   the call.
     * @param reason what was wrong.
     * @param <T>    the type.
     * @return the exception.
     */
    public static <T extends RuntimeException> T assertDocumented(
        final Class<T> type, final Executable call, final String reason)
    {
        final Throwable thrown = assertThrows(Throwable.class, call, reason + ": should have failed");
        if (thrown.getClass() != type)
        {
            fail(reason + ": expected " + type.getSimpleName() + " but got " + thrown, thrown);
        }
        assertClearMessage(thrown);
        return type.cast(thrown);
    }

    /**
     * Asserts a data-plane result is the negative errno.
     *
     * @param errno  the expected positive errno.
     * @param result the returned value.
     * @param reason what was wrong.
     */
    public static void assertNegativeErrno(final int errno, final int result, final String reason)
    {
        assertEquals(-errno, result, reason + ": got " + Errno.errorString(result));
    }

    private static void assertClearMessage(final Throwable thrown)
    {
        final String message = thrown.getMessage();
        assertNotNull(message, "no message: " + thrown);
        assertTrue(message.length() > 10, "message too short to help: " + message);
    }
}
