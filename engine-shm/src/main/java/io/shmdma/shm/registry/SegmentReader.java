package io.shmdma.shm.registry;

import org.agrona.concurrent.AtomicBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Read-only access to the mapped control segment: what every class that only looks at the tables (the views, the
 * checks, the data path) is given instead of the writable {@link AtomicBuffer}, so that it cannot write. Writes
 * under the registry lock go through {@link FencedWriter}, which {@link RegistryLock} hands out; the few stores
 * made outside the lock, each to a field with one writer, go through {@link OwnerStores}.
 * <p>
 * The control segment is shared with other processes: each value read is a copy that may already be stale, and
 * a caller validates it before acting on it. Allocation-free; never throws for an offset inside the layout.
 */
final class SegmentReader
{
    private final AtomicBuffer buffer;

    SegmentReader(final AtomicBuffer buffer)
    {
        this.buffer = buffer;
    }

    /** Plain load of an int. */
    int getInt(final int offset)
    {
        return buffer.getInt(offset);
    }

    /** Acquire load of an int. */
    int getIntAcquire(final int offset)
    {
        return buffer.getIntAcquire(offset);
    }

    /** Volatile load of an int. */
    int getIntVolatile(final int offset)
    {
        return buffer.getIntVolatile(offset);
    }

    /** Plain load of a long. */
    long getLong(final int offset)
    {
        return buffer.getLong(offset);
    }

    /** Acquire load of a long. */
    long getLongAcquire(final int offset)
    {
        return buffer.getLongAcquire(offset);
    }

    /** Volatile load of a long. */
    long getLongVolatile(final int offset)
    {
        return buffer.getLongVolatile(offset);
    }

    /** Copies bytes out of the segment. */
    void getBytes(final int offset, final byte[] bytes)
    {
        buffer.getBytes(offset, bytes);
    }

    /** A UTF-8 string stored as bytes plus a length field; the length is read once and clamped to 0..maxLength. */
    String getString(final int bytesOffset, final int lengthOffset, final int maxLength)
    {
        final int length = Math.max(0, Math.min(maxLength, buffer.getInt(lengthOffset)));
        final byte[] bytes = new byte[length];
        buffer.getBytes(bytesOffset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
