package io.shmdma.ring;

import org.agrona.BitUtil;

import java.nio.ByteOrder;

/**
 * Layout of a vchan's descriptor ring, in any {@link org.agrona.concurrent.AtomicBuffer} (heap, direct
 * or a mapped file). One application thread produces descriptors and gathers completions; one engine
 * thread executes them. Each index written by a different thread has its own 128 bytes.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |            Submitted Index (doorbell, app, release)           |  0
 *  +---------------------------------------------------------------+
 *  |                   padding to 128 bytes                       ...
 *  +---------------------------------------------------------------+
 *  |             Completed Index (engine, release)                 |  128
 *  +---------------------------------------------------------------+
 *  |             Error Count (engine)                              |  256
 *  +---------------------------------------------------------------+
 *  |   Capacity    |   Max SGEs    |   Nb Desc     |  reserved    ...  384
 *  +---------------------------------------------------------------+
 *  |       Descriptors: capacity x 32 bytes                       ...  512
 *  +---------------------------------------------------------------+
 *  |       Completion words: capacity x 8 bytes, to a cache line  ...
 *  +---------------------------------------------------------------+
 *  |       SGE area: capacity x maxSges x 2 x 16 bytes            ...
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * A descriptor (32 bytes, two to a cache line; written by the application only, the engine only reads it):
 * <pre>
 *  +---------------+---------------+
 *  |    Opcode     | Length/nb src |  0   one 64-bit store at enqueue
 *  +---------------+---------------+
 *  |     Source IOVA or Pattern    |  8
 *  +-------------------------------+
 *  | Destination IOVA, or nb dst   |  16  scatter-gather: the number of destination SGEs (64-bit)
 *  +---------------+---------------+
 *  |     Flags     | Submit Stamp  |  24  flags at enqueue; stamp = (int)(index + 1), last (release), at the doorbell
 *  +---------------+---------------+
 * </pre>
 * A completion word (written by the engine only, 8 per cache line, one per slot after the descriptors):
 * <pre>
 *  +---------------+---------------+
 *  |    Status     |      Tag      |  status in the low 32 bits, tag = (int)(ring index + 1) in the high 32 bits
 *  +---------------+---------------+
 * </pre>
 * An SGE entry is {@code long iova, int length, int reserved}; a slot's source entries come first,
 * then its destination entries.
 * Indices are 64-bit sequence numbers that never wrap in practice; a slot is {@code index & (capacity - 1)}.
 * <p>
 * Memory ordering (docs/architecture.md, "Memory ordering"): the submit stamp is a release store that the engine
 * reads with an acquire load, so the application's writes before the doorbell are visible to the engine. The
 * engine writes every job's completion word, its final status tagged with the job's index, with one release
 * store, so a reader that loads the word with the job's tag with acquire semantics sees every byte the job wrote;
 * the application gathers completions this way. The application never writes a completion word and the engine
 * never writes a descriptor, so each cache line has one writer: a descriptor line travels to the engine once per
 * 2 jobs and a completion line to the application once per 8 jobs (once per job when they are gathered one by one).
 * A word whose tag is not the job's belongs to an earlier job of the slot: the job has not completed. The error
 * count and the completed index follow once per run of jobs (release), for stats and {@code vchan_status}. The
 * engine copies each descriptor and SGE field it uses once and trusts nothing else in the ring: any process that
 * can write the file can change any byte of it at any time.
 */
public final class RingDescriptor
{
    /** Bytes between fields written by different threads. */
    public static final int PADDING = 2 * BitUtil.CACHE_LINE_LENGTH;
    /** Offset of the submitted (doorbell) index. */
    public static final int SUBMITTED_INDEX_OFFSET = 0;
    /** Offset of the completed index. */
    public static final int COMPLETED_INDEX_OFFSET = SUBMITTED_INDEX_OFFSET + PADDING;
    /** Offset of the count of failed jobs. */
    public static final int ERROR_COUNT_OFFSET = COMPLETED_INDEX_OFFSET + PADDING;
    /** Offset of the ring capacity (a power of two). */
    public static final int CAPACITY_OFFSET = ERROR_COUNT_OFFSET + PADDING;
    /** Offset of the SGE entries per side per slot. */
    public static final int MAX_SGES_OFFSET = CAPACITY_OFFSET + 4;
    /** Offset of the configured number of descriptors. */
    public static final int NB_DESC_OFFSET = MAX_SGES_OFFSET + 4;
    /** Length of the header. */
    public static final int HEADER_LENGTH = CAPACITY_OFFSET + PADDING;

    /** Bytes per descriptor: two to a cache line. */
    public static final int DESCRIPTOR_LENGTH = 32;
    /** Offset of the opcode in a descriptor. */
    public static final int OPCODE_OFFSET = 0;
    /** Offset of the length, or the number of source SGEs: written with the opcode as one 64-bit store. */
    public static final int LENGTH_OFFSET = OPCODE_OFFSET + 4;
    /** Offset of the source IOVA, or the fill pattern. */
    public static final int SRC_OFFSET = LENGTH_OFFSET + 4;
    /** Offset of the destination IOVA. */
    public static final int DST_OFFSET = SRC_OFFSET + 8;
    /** Offset of the number of destination SGEs, a 64-bit value: a scatter-gather job has no destination IOVA. */
    public static final int NB_DST_OFFSET = DST_OFFSET;
    /** Offset of the flags (an int): {@link io.shmdma.OpFlags} plus {@link #FLAG_BATCH_START}. */
    public static final int FLAGS_OFFSET = DST_OFFSET + 8;
    /**
     * Offset of the submit stamp, an int: the descriptor's ring index plus one, truncated to 32 bits, stored with
     * release semantics when the doorbell rings. The engine polls the stamp of the next descriptor instead of the
     * submitted index, so a job reaches the engine in one cache-line transfer (its descriptor's) instead of two. A
     * slot's stamp holds the index of the slot's previous job (or 0), which differs from the next one's by a
     * multiple of the capacity, never by a multiple of 2^32.
     */
    public static final int STAMP_OFFSET = FLAGS_OFFSET + 4;

    /** Bytes per completion word. */
    public static final int COMPLETION_LENGTH = 8;
    /** Offset of the status (an int, the word's low 32 bits) in a completion word. */
    public static final int COMPLETION_STATUS_OFFSET = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? 0 : 4;
    /** Offset of the tag (an int, the word's high 32 bits: the job's ring index + 1) in a completion word. */
    public static final int COMPLETION_TAG_OFFSET = 4 - COMPLETION_STATUS_OFFSET;

    /** Bytes per SGE entry. */
    public static final int SGE_LENGTH = 16;

    /** Opcode of a copy. */
    public static final int OP_COPY = 1;
    /** Opcode of a scatter-gather copy. */
    public static final int OP_COPY_SG = 2;
    /** Opcode of a fill. */
    public static final int OP_FILL = 3;

    /** Internal flag: the first job after a doorbell, where a failure stops poisoning fenced jobs. */
    public static final int FLAG_BATCH_START = 1 << 31;

    private RingDescriptor()
    {
    }

    /** Most descriptors a ring may have, so that every offset fits in an int. */
    public static final int MAX_CAPACITY = 1 << 20;
    /** Most SGE entries per side per descriptor. */
    public static final int MAX_SGES_LIMIT = 64;

    /**
     * Bytes a ring needs.
     *
     * @param capacity descriptors, a power of two, 1..{@link #MAX_CAPACITY}.
     * @param maxSges  SGE entries per side per descriptor, 0..{@link #MAX_SGES_LIMIT}.
     * @return the length.
     * @throws IllegalArgumentException for a capacity or SGE count out of range, or a ring longer than 2 GiB.
     */
    public static int ringLength(final int capacity, final int maxSges)
    {
        checkGeometry(capacity, maxSges);
        final long length = HEADER_LENGTH + descriptorAreaLength(capacity) + completionAreaLength(capacity) +
            (long)capacity * maxSges * 2 * SGE_LENGTH;
        if (length > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("a ring of " + capacity + " descriptors with " + maxSges +
                " SGEs per side would need " + length + " bytes, more than 2 GiB");
        }
        return (int)length;
    }

    /**
     * Checks a ring's capacity and SGE count, e.g. read back from a ring buffer that might be corrupt.
     *
     * @param capacity descriptors; must be a power of two, 1..{@link #MAX_CAPACITY}.
     * @param maxSges  SGE entries per side; 0..{@link #MAX_SGES_LIMIT}.
     * @throws IllegalArgumentException naming the bad value.
     */
    public static void checkGeometry(final int capacity, final int maxSges)
    {
        if (capacity <= 0 || capacity > MAX_CAPACITY || !BitUtil.isPowerOfTwo(capacity))
        {
            throw new IllegalArgumentException("ring capacity must be a power of two in 1.." + MAX_CAPACITY + ": " +
                capacity);
        }
        if (maxSges < 0 || maxSges > MAX_SGES_LIMIT)
        {
            throw new IllegalArgumentException("maxSges must be in 0.." + MAX_SGES_LIMIT + ": " + maxSges);
        }
    }

    /**
     * Offset of a slot's descriptor.
     *
     * @param slot the slot.
     * @return the offset.
     */
    public static int descriptorOffset(final int slot)
    {
        return HEADER_LENGTH + slot * DESCRIPTOR_LENGTH;
    }

    /**
     * Offset of a slot's completion word: after the descriptors, 8 slots per cache line.
     *
     * @param capacity the ring capacity.
     * @param slot     the slot.
     * @return the offset.
     */
    public static int completionOffset(final int capacity, final int slot)
    {
        return HEADER_LENGTH + descriptorAreaLength(capacity) + slot * COMPLETION_LENGTH;
    }

    /**
     * Offset of the status half of a slot's completion word.
     *
     * @param capacity the ring capacity.
     * @param slot     the slot.
     * @return the offset.
     */
    public static int statusOffset(final int capacity, final int slot)
    {
        return completionOffset(capacity, slot) + COMPLETION_STATUS_OFFSET;
    }

    /**
     * The completion word the engine writes for a job.
     *
     * @param index  the job's ring index.
     * @param status its final status code.
     * @return the word: the tag {@code (int)(index + 1)} in the high 32 bits, the status in the low 32 bits.
     */
    public static long completionWord(final long index, final int status)
    {
        return ((index + 1) << 32) | (status & 0xFFFF_FFFFL);
    }

    /** Bytes of the descriptors, rounded up to whole cache lines (a ring of one slot has half a line). */
    private static int descriptorAreaLength(final int capacity)
    {
        return BitUtil.align(capacity * DESCRIPTOR_LENGTH, BitUtil.CACHE_LINE_LENGTH);
    }

    /** Bytes of the completion words, rounded up to whole cache lines. */
    private static int completionAreaLength(final int capacity)
    {
        return BitUtil.align(capacity * COMPLETION_LENGTH, BitUtil.CACHE_LINE_LENGTH);
    }

    /**
     * Offset of an SGE entry.
     *
     * @param capacity    the ring capacity.
     * @param maxSges     entries per side.
     * @param slot        the slot.
     * @param destination whether the destination side.
     * @param entry       the entry within the side.
     * @return the offset.
     */
    public static int sgeOffset(
        final int capacity, final int maxSges, final int slot, final boolean destination, final int entry)
    {
        return HEADER_LENGTH + descriptorAreaLength(capacity) + completionAreaLength(capacity) +
            ((slot * 2 + (destination ? 1 : 0)) * maxSges + entry) * SGE_LENGTH;
    }
}
