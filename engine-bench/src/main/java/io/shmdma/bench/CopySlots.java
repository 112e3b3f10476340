package io.shmdma.bench;

import io.shmdma.memory.DmaRegion;

/**
 * Source and destination buffers for bursts of copies: {@code slots} buffers of {@code bufferSize} bytes on
 * each side, one cache line aligned, carved from one region per side of a {@link BenchTarget}'s domain.
 * A burst of {@code k} copies uses the next {@code k} slots round robin, so a burst copies distinct buffers
 * unless the slots are capped by {@link #MAX_BYTES_PER_SIDE}.
 */
public final class CopySlots
{
    /** Most bytes of buffers on each side. */
    public static final long MAX_BYTES_PER_SIDE = 64L << 20;

    private final int bufferSize;
    private final int stride;
    private final int slots;
    private final DmaRegion source;
    private final DmaRegion destination;
    private final long[] srcIova;
    private final long[] dstIova;
    private final long[] srcAddress;
    private final long[] dstAddress;
    private int next;

    /**
     * @param target     whose domain holds the buffers.
     * @param bufferSize bytes per buffer.
     * @param wanted     slots wanted, typically the kick batch; capped by {@link #MAX_BYTES_PER_SIDE}.
     */
    public CopySlots(final BenchTarget target, final int bufferSize, final int wanted)
    {
        this.bufferSize = bufferSize;
        this.stride = (int)Buffers.alignToCacheLine(bufferSize);
        this.slots = (int)Math.max(1, Math.min(wanted, MAX_BYTES_PER_SIDE / stride));
        this.source = target.allocate((long)stride * slots, 1);
        this.destination = target.allocate((long)stride * slots, 2);
        srcIova = new long[slots];
        dstIova = new long[slots];
        srcAddress = new long[slots];
        dstAddress = new long[slots];
        for (int i = 0; i < slots; i++)
        {
            srcIova[i] = source.iova((long)i * stride);
            dstIova[i] = destination.iova((long)i * stride);
            srcAddress[i] = source.buffer().addressOffset() + (long)i * stride;
            dstAddress[i] = destination.buffer().addressOffset() + (long)i * stride;
        }
    }

    /**
     * Bytes needed in the domain for these slots, with room for alignment.
     *
     * @param bufferSize bytes per buffer.
     * @param wanted     slots wanted.
     * @return bytes.
     */
    public static long domainBytes(final int bufferSize, final int wanted)
    {
        final long stride = Buffers.alignToCacheLine(bufferSize);
        final long slots = Math.max(1, Math.min(wanted, MAX_BYTES_PER_SIDE / stride));
        return 2 * stride * slots + (1 << 20);
    }

    /**
     * The next slot, round robin.
     *
     * @return a slot index.
     */
    public int nextSlot()
    {
        final int slot = next;
        next = slot + 1 == slots ? 0 : slot + 1;
        return slot;
    }

    /**
     * Bytes per buffer.
     *
     * @return the buffer size.
     */
    public int bufferSize()
    {
        return bufferSize;
    }

    /**
     * Bytes between slots.
     *
     * @return the stride, a multiple of 64.
     */
    public int stride()
    {
        return stride;
    }

    /**
     * Number of slots per side.
     *
     * @return the slots.
     */
    public int slots()
    {
        return slots;
    }

    /**
     * IOVA of a source slot.
     *
     * @param slot the slot.
     * @return the IOVA.
     */
    public long srcIova(final int slot)
    {
        return srcIova[slot];
    }

    /**
     * IOVA of a destination slot.
     *
     * @param slot the slot.
     * @return the IOVA.
     */
    public long dstIova(final int slot)
    {
        return dstIova[slot];
    }

    /**
     * Virtual address of a source slot, for CPU baselines.
     *
     * @param slot the slot.
     * @return the address.
     */
    public long srcAddress(final int slot)
    {
        return srcAddress[slot];
    }

    /**
     * Virtual address of a destination slot, for CPU baselines.
     *
     * @param slot the slot.
     * @return the address.
     */
    public long dstAddress(final int slot)
    {
        return dstAddress[slot];
    }

    /**
     * The source region.
     *
     * @return the region.
     */
    public DmaRegion source()
    {
        return source;
    }

    /**
     * The destination region.
     *
     * @return the region.
     */
    public DmaRegion destination()
    {
        return destination;
    }

    /**
     * Whether every destination slot equals its source slot.
     *
     * @return true when the copies landed.
     */
    public boolean verify()
    {
        for (int i = 0; i < slots; i++)
        {
            for (int j = 0; j < bufferSize; j++)
            {
                if (source.buffer().getByte(i * stride + j) != destination.buffer().getByte(i * stride + j))
                {
                    return false;
                }
            }
        }
        return true;
    }
}
