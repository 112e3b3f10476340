package io.shmdma.memory;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A block of a domain's DMA-able memory: its IOVA for jobs and a buffer view for reading and writing
 * it from Java. Free it with {@link #close()}.
 */
public final class DmaRegion implements AutoCloseable
{
    private final DomainMemory memory;
    private final long iova;
    private final long length;
    private final long reserved;
    private final UnsafeBuffer buffer;
    private final String name;
    private boolean closed;

    DmaRegion(
        final DomainMemory memory,
        final String name,
        final long iova,
        final long length,
        final long reserved,
        final long address)
    {
        this.memory = memory;
        this.name = name;
        this.iova = iova;
        this.length = length;
        this.reserved = reserved;
        this.buffer = new UnsafeBuffer(address, (int)Math.min(length, Integer.MAX_VALUE));
    }

    /**
     * The IOVA of the first byte, for copy, copySg and fill.
     *
     * @return the IOVA.
     */
    public long iova()
    {
        return iova;
    }

    /**
     * The IOVA of a byte of the region.
     *
     * @param offset in the region.
     * @return {@code iova() + offset}.
     */
    public long iova(final long offset)
    {
        return iova + offset;
    }

    /**
     * Bytes requested.
     *
     * @return the length.
     */
    public long length()
    {
        return length;
    }

    /**
     * A view of the region's bytes; index 0 is the byte at {@link #iova()}.
     *
     * @return the buffer.
     */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * The name the region was published under ({@link DomainMemory#allocate(String, long)}).
     *
     * @return the name, or null for an unnamed region.
     */
    public String name()
    {
        return name;
    }

    /**
     * The domain memory the region belongs to.
     *
     * @return the memory.
     */
    public DomainMemory memory()
    {
        return memory;
    }

    /**
     * Returns the region to its domain; jobs must no longer name it. A named region is first withdrawn from
     * where it was published, so that no peer finds it once its memory can be reused.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            if (null != name)
            {
                memory.unpublish(name);
            }
            memory.release(iova - memory.iovaBase(), reserved);
        }
    }
}
