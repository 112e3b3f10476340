package io.shmdma.ring;

import io.shmdma.DmaSge;
import io.shmdma.Errno;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static io.shmdma.BadInputAssertions.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * {@link DescriptorRing} and {@link RingDescriptor} with invalid arguments: IllegalArgumentException (or
 * Agrona's IllegalStateException for an unaligned buffer) at construction, a negative errno on the data path.
 */
class RingBadInputTest
{
    private static UnsafeBuffer buffer(final int length)
    {
        return new UnsafeBuffer(BufferUtil.allocateDirectAligned(length, 128));
    }

    @Test
    void shouldRefuseBadGeometry()
    {
        for (final int capacity : new int[]{ 0, -1, 3, 48, RingDescriptor.MAX_CAPACITY * 2, Integer.MIN_VALUE,
            Integer.MAX_VALUE })
        {
            assertDocumented(IllegalArgumentException.class, () -> RingDescriptor.ringLength(capacity, 4),
                "capacity " + capacity);
        }
        for (final int maxSges : new int[]{ -1, RingDescriptor.MAX_SGES_LIMIT + 1, Integer.MIN_VALUE,
            Integer.MAX_VALUE })
        {
            assertDocumented(IllegalArgumentException.class, () -> RingDescriptor.ringLength(64, maxSges),
                "maxSges " + maxSges);
        }
        assertDocumented(IllegalArgumentException.class,
            () -> RingDescriptor.ringLength(RingDescriptor.MAX_CAPACITY, RingDescriptor.MAX_SGES_LIMIT), "over 2 GiB");
        assertTrue(RingDescriptor.ringLength(RingDescriptor.MAX_CAPACITY, 16) > 0,
            "a large ring's length fits in an int");
    }

    @Test
    void shouldRefuseBadConstructorArguments()
    {
        final UnsafeBuffer fits = buffer(RingDescriptor.ringLength(64, 4));
        assertDocumented(IllegalArgumentException.class, () -> new DescriptorRing(null, 64, 4, false, false),
            "null buffer");
        for (final int nbDesc : new int[]{ 0, -1, RingDescriptor.MAX_CAPACITY + 1, Integer.MIN_VALUE,
            Integer.MAX_VALUE })
        {
            assertDocumented(IllegalArgumentException.class, () -> new DescriptorRing(fits, nbDesc, 4, false, false),
                "nbDesc " + nbDesc);
        }
        for (final int maxSges : new int[]{ -1, RingDescriptor.MAX_SGES_LIMIT + 1, Integer.MIN_VALUE })
        {
            assertDocumented(IllegalArgumentException.class, () -> new DescriptorRing(fits, 64, maxSges, false, false),
                "maxSges " + maxSges);
        }
        assertDocumented(IllegalArgumentException.class, () -> new DescriptorRing(fits, 65, 4, false, false),
            "buffer too small for 128 slots");
        final UnsafeBuffer unaligned = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
            RingDescriptor.ringLength(64, 4) + 8, 128), 4, RingDescriptor.ringLength(64, 4));
        assertDocumented(IllegalStateException.class, () -> new DescriptorRing(unaligned, 64, 4, false, false),
            "unaligned buffer");
    }

    @Test
    void shouldReturnNegativeErrnoOnTheDataPath()
    {
        final DescriptorRing ring = new DescriptorRing(buffer(RingDescriptor.ringLength(32, 2)), 32, 2, false, false);
        final DmaSge[] one = { new DmaSge(0x1000, 8) };
        assertNegativeErrno(Errno.EINVAL, ring.copy(1, 2, 0, 0), "zero length");
        assertNegativeErrno(Errno.EINVAL, ring.fill(1, 2, 0, 0), "zero length");
        for (final long flags : BAD_OP_FLAGS)
        {
            assertNegativeErrno(Errno.EINVAL, ring.copy(1, 2, 8, flags), "flags");
            assertNegativeErrno(Errno.EINVAL, ring.fill(1, 2, 8, flags), "flags");
            assertNegativeErrno(Errno.EINVAL, ring.copySg(one, one, 1, 1, flags), "flags");
        }
        assertNegativeErrno(Errno.EINVAL, ring.copySg(one, one, 3, 1, 0), "more SGEs than maxSges");
        assertNegativeErrno(Errno.EINVAL, ring.copySg(one, one, 2, 1, 0), "more SGEs than the array");
        assertNegativeErrno(Errno.EINVAL, ring.copySg(new DmaSge[2], one, 2, 1, 0), "null entries");
        assertEquals(0, ring.enqueueOps(null, 1), "ops outside the ops mode");
        assertEquals(0, ring.dequeueOps(null, 1), "ops outside the ops mode");
        assertEquals(0, ring.completed(Integer.MIN_VALUE, null));
        assertEquals(0, ring.completedStatus(Integer.MAX_VALUE, null, null));
        assertEquals(32, ring.burstCapacity(), "refused jobs take no descriptor");
    }
}
