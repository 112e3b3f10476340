package io.shmdma;

import io.shmdma.memory.DmaRegion;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.junit.jupiter.api.function.Executable;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Helpers shared by the suites: errno assertions and buffer contents.
 */
public final class DmaTestSupport
{
    private static final AtomicInteger NAME_COUNTER = new AtomicInteger();

    private DmaTestSupport()
    {
    }

    /**
     * A device name no other test of this JVM uses.
     *
     * @param prefix for a person reading logs.
     * @return the name.
     */
    public static String uniqueName(final String prefix)
    {
        return prefix + "-" + NAME_COUNTER.incrementAndGet();
    }

    /**
     * Asserts that a control-plane call throws a {@link DmaException} with an errno.
     *
     * @param errno      the expected positive errno.
     * @param executable the call.
     * @return the exception.
     */
    public static DmaException assertErrno(final int errno, final Executable executable)
    {
        final DmaException ex = assertThrows(DmaException.class, executable);
        assertEquals(Errno.name(errno), Errno.name(ex.errno()), ex::getMessage);
        return ex;
    }

    /**
     * Fills {@code length} bytes from index 0 with random bytes.
     *
     * @param buffer to be filled.
     * @param length bytes.
     * @param random the source.
     */
    public static void randomize(final MutableDirectBuffer buffer, final int length, final SplittableRandom random)
    {
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            buffer.putLong(i, random.nextLong());
        }
        for (; i < length; i++)
        {
            buffer.putByte(i, (byte)random.nextInt());
        }
    }

    /**
     * Fills {@code length} bytes of a region with random bytes.
     *
     * @param region to be filled.
     * @param length bytes from the start.
     * @param random the source.
     */
    public static void randomize(final DmaRegion region, final int length, final SplittableRandom random)
    {
        randomize(region.buffer(), length, random);
    }

    /**
     * Whether two byte ranges are equal.
     *
     * @param a       one buffer.
     * @param aOffset start in a.
     * @param b       other buffer.
     * @param bOffset start in b.
     * @param length  bytes.
     * @return the index of the first difference, or -1.
     */
    public static int mismatch(
        final DirectBuffer a, final int aOffset, final DirectBuffer b, final int bOffset, final int length)
    {
        int i = 0;
        for (; i + 8 <= length; i += 8)
        {
            if (a.getLong(aOffset + i) != b.getLong(bOffset + i))
            {
                break;
            }
        }
        for (; i < length; i++)
        {
            if (a.getByte(aOffset + i) != b.getByte(bOffset + i))
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * Asserts two byte ranges are equal.
     *
     * @param what    named in the failure.
     * @param a       expected bytes.
     * @param aOffset start in a.
     * @param b       actual bytes.
     * @param bOffset start in b.
     * @param length  bytes.
     */
    public static void assertSameBytes(
        final String what, final DirectBuffer a, final int aOffset, final DirectBuffer b, final int bOffset,
        final int length)
    {
        final int at = mismatch(a, aOffset, b, bOffset, length);
        if (at >= 0)
        {
            fail(what + ": byte " + at + " differs, expected " + a.getByte(aOffset + at) + " but was " +
                b.getByte(bOffset + at));
        }
    }

    /**
     * Asserts that a range holds one byte value.
     *
     * @param what   named in the failure.
     * @param buffer the buffer.
     * @param offset start.
     * @param length bytes.
     * @param value  expected in every byte.
     */
    public static void assertAllBytes(
        final String what, final DirectBuffer buffer, final int offset, final int length, final byte value)
    {
        for (int i = 0; i < length; i++)
        {
            if (buffer.getByte(offset + i) != value)
            {
                fail(what + ": byte " + (offset + i) + " is " + buffer.getByte(offset + i) + ", expected " + value);
            }
        }
    }
}
