package io.shmdma;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrnoTest
{
    @Test
    void shouldHaveLinuxValues()
    {
        final int[] values = {
            Errno.EPERM, Errno.ENOENT, Errno.ESRCH, Errno.EIO, Errno.EAGAIN, Errno.ENOMEM, Errno.EACCES, Errno.EBUSY,
            Errno.EEXIST, Errno.ENODEV, Errno.EINVAL, Errno.ENOSPC, Errno.ENOTSUP, Errno.ETIMEDOUT };
        final int[] linux = { 1, 2, 3, 5, 11, 12, 13, 16, 17, 19, 22, 28, 95, 110 };
        assertEquals(java.util.Arrays.toString(linux), java.util.Arrays.toString(values));
    }

    @Test
    void shouldNameEveryErrnoWhateverItsSign()
    {
        final String[] names = {
            "EPERM", "ENOENT", "ESRCH", "EIO", "EAGAIN", "ENOMEM", "EACCES", "EBUSY", "EEXIST", "ENODEV", "EINVAL",
            "ENOSPC", "ENOTSUP", "ETIMEDOUT" };
        final int[] values = {
            Errno.EPERM, Errno.ENOENT, Errno.ESRCH, Errno.EIO, Errno.EAGAIN, Errno.ENOMEM, Errno.EACCES, Errno.EBUSY,
            Errno.EEXIST, Errno.ENODEV, Errno.EINVAL, Errno.ENOSPC, Errno.ENOTSUP, Errno.ETIMEDOUT };
        for (int i = 0; i < values.length; i++)
        {
            assertEquals(names[i], Errno.name(values[i]));
            assertEquals(names[i], Errno.name(-values[i]));
        }
        assertEquals("OK", Errno.name(0));
        assertEquals("errno 999", Errno.name(999));
        assertEquals("errno 999", Errno.name(-999));
    }

    @Test
    void shouldDescribeDataPathReturnCodes()
    {
        assertEquals("OK (ring index 7)", Errno.errorString(7));
        assertTrue(Errno.errorString(-Errno.ENOSPC).startsWith("ENOSPC: "));
        assertTrue(Errno.errorString(-Errno.EINVAL).startsWith("EINVAL: "));
        assertTrue(Errno.errorString(-Errno.ENOTSUP).startsWith("ENOTSUP: "));
        assertEquals("EBUSY", Errno.errorString(-Errno.EBUSY));
        assertEquals("errno 4242", Errno.errorString(-4242));
    }

    @Test
    void shouldCarryThePositiveErrnoInDmaException()
    {
        final DmaException ex = new DmaException(Errno.EBUSY, "device 3 must be stopped");
        assertEquals(Errno.EBUSY, ex.errno());
        assertEquals("EBUSY: device 3 must be stopped", ex.getMessage());
        assertNull(ex.getCause());
        final IllegalStateException cause = new IllegalStateException("x");
        assertSame(cause, new DmaException(Errno.EIO, "y", cause).getCause());

        assertEquals(0, DmaException.check(0, "ok"));
        assertEquals(12, DmaException.check(12, "group id"));
        final DmaException checked = assertThrows(DmaException.class, () -> DmaException.check(-Errno.EACCES, "join"));
        assertEquals(Errno.EACCES, checked.errno());
        assertEquals("EACCES: join", checked.getMessage());
    }
}
