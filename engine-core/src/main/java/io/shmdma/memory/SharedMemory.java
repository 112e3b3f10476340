package io.shmdma.memory;

import org.agrona.MutableDirectBuffer;

/**
 * Helpers for memory mapped from files that other processes may shrink under us.
 */
public final class SharedMemory
{
    private SharedMemory()
    {
    }

    /**
     * Zeroes a range with 8-byte and 1-byte puts instead of {@code Unsafe.setMemory}. HotSpot turns a SIGBUS
     * (a mapped file truncated by another process) in a put into an {@link InternalError}, but Java 17 does not
     * protect the native {@code setMemory} that Agrona uses for ranges of 100 bytes or more: that SIGBUS kills
     * the JVM.
     *
     * @param buffer the buffer.
     * @param index  first byte.
     * @param length bytes to zero.
     */
    public static void clear(final MutableDirectBuffer buffer, final int index, final int length)
    {
        final int end = index + length;
        int i = index;
        while (i < end && (buffer.addressOffset() + i & 7) != 0)
        {
            buffer.putByte(i++, (byte)0);
        }
        for (; i + 8 <= end; i += 8)
        {
            buffer.putLong(i, 0);
        }
        while (i < end)
        {
            buffer.putByte(i++, (byte)0);
        }
    }
}
