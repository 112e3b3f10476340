package io.shmdma.examples.trading;

import org.agrona.concurrent.AtomicBuffer;

/**
 * The order-book snapshot slot in the strategy's memory, written by the feed's DMA jobs as a seqlock:
 * first the sequence made odd (writing), then the payload, then the sequence made even with the publish
 * time. A reader checks the sequence first and again after reading the payload.
 *
 * <pre>
 *  +-------------------------------+
 *  |  Sequence (odd while written) |  0
 *  +-------------------------------+
 *  |   Publish time (nanoTime)     |  8
 *  +-------------------------------+
 *  |   Payload length (int) | pad  |  16
 *  +-------------------------------+
 *  |   padding to 64              ...
 *  +-------------------------------+
 *  |   Payload: levels of (price, quantity) longs, the first long = sequence  ...  64
 *  +-------------------------------+
 * </pre>
 */
final class SnapshotLayout
{
    static final int SEQUENCE_OFFSET = 0;
    static final int PUBLISH_TIME_OFFSET = 8;
    static final int LENGTH_OFFSET = 16;
    static final int HEADER_LENGTH = 64;
    /** The trailer/header jobs copy these bytes (sequence, time, length). */
    static final int STAMP_LENGTH = 24;

    private SnapshotLayout()
    {
    }

    /**
     * Fills a payload whose every long is derived from the sequence, so a torn read is detectable.
     *
     * @param buffer   where.
     * @param offset   first byte.
     * @param length   bytes, a multiple of 8.
     * @param sequence the snapshot's sequence.
     */
    static void fillPayload(final AtomicBuffer buffer, final int offset, final int length, final long sequence)
    {
        buffer.putLong(offset, sequence);
        for (int i = 8; i < length; i += 8)
        {
            buffer.putLong(offset + i, expected(sequence, i));
        }
    }

    /**
     * Whether a payload is the one a sequence produces.
     *
     * @param buffer   where.
     * @param offset   first byte.
     * @param length   bytes.
     * @param sequence the sequence read before.
     * @return true when consistent.
     */
    static boolean payloadMatches(final AtomicBuffer buffer, final int offset, final int length, final long sequence)
    {
        if (buffer.getLong(offset) != sequence)
        {
            return false;
        }
        for (int i = 8; i < length; i += 8)
        {
            if (buffer.getLong(offset + i) != expected(sequence, i))
            {
                return false;
            }
        }
        return true;
    }

    private static long expected(final long sequence, final int index)
    {
        // price level index/16, price and quantity alternate; mixed with the sequence
        return (sequence * 0x9E3779B97F4A7C15L) ^ ((long)index << 20) ^ (index >> 3);
    }
}
