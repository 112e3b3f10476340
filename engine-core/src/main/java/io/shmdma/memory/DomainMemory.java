package io.shmdma.memory;

import io.shmdma.AgronaAccess;
import io.shmdma.DmaException;
import io.shmdma.Errno;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.TreeMap;

/**
 * The DMA-able memory of one domain: a range of IOVAs {@code [iovaBase, iovaBase + size)} backed by
 * off-heap memory (direct or mapped). The memory is held as chunks of {@link #CHUNK_SIZE} bytes so a
 * domain may be larger than one Java mapping (2 GiB); a job that crosses a chunk boundary is split.
 * <p>
 * The owning application carves {@link DmaRegion}s out of it; the engine translates and bounds
 * checks every job's {@code [iova, iova + len)} through {@link #offsetOf(long, long)}.
 * <p>
 * Thread safety: {@link #allocate}, region release and {@link #freeBytes()} lock this object and are safe from
 * any thread; the translation and copy methods ({@link #offsetOf}, {@link #address}, {@link #copy}, {@link #fill})
 * and the getters are lock-free and safe from any thread, engine threads included. The bytes themselves are not
 * guarded: who writes a region when (the application before submitting a job, the engine until the job's
 * completion is gathered) is the application's discipline, as with DMA hardware; a completion gathered by
 * {@code completed} makes the engine's writes visible to the thread that gathered it. {@link #close()} must not
 * race with the use of regions or devices over this memory.
 */
public final class DomainMemory
{
    /** Log2 of the chunk size. */
    public static final int CHUNK_SHIFT = 30;
    /** Bytes in one chunk (1 GiB): the largest region. */
    public static final long CHUNK_SIZE = 1L << CHUNK_SHIFT;
    /** Alignment of every region, one cache line. */
    public static final int REGION_ALIGNMENT = 64;
    /** Result of {@link #offsetOf} for an address outside the domain. */
    public static final long INVALID = -1;
    /** Largest domain, 64 TiB: keeps chunk counts and IOVA arithmetic far from overflow. */
    public static final long MAX_SIZE = 1L << 46;

    private static final long CHUNK_MASK = CHUNK_SIZE - 1;
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final long iovaBase;
    private final long size;
    private final long[] chunkAddresses;
    private final ByteBuffer[] chunks;
    /** Free ranges by offset -> length; used by the owner's thread(s) only, under this object's lock. */
    private final TreeMap<Long, Long> freeRanges = new TreeMap<>();
    private volatile boolean closed;
    private volatile RegionNaming naming;

    /**
     * Wraps chunks of off-heap memory. Every chunk but the last must hold exactly {@link #CHUNK_SIZE} bytes.
     *
     * @param iovaBase the IOVA of the first byte; positive, so that IOVA 0 is never valid.
     * @param chunks   direct or mapped buffers, kept reachable by this object.
     * @throws IllegalArgumentException for a non-positive base, no or null chunks, heap or wrongly sized chunks,
     *                                  or a range that overflows.
     */
    public DomainMemory(final long iovaBase, final ByteBuffer... chunks)
    {
        AgronaAccess.ensureAvailable();
        if (iovaBase <= 0)
        {
            throw new IllegalArgumentException("iovaBase must be positive (IOVA 0 is never valid): " + iovaBase);
        }
        if (chunks == null || chunks.length == 0)
        {
            throw new IllegalArgumentException("no memory: at least one chunk is required");
        }
        long total = 0;
        this.chunkAddresses = new long[chunks.length];
        for (int i = 0; i < chunks.length; i++)
        {
            final ByteBuffer chunk = chunks[i];
            if (chunk == null)
            {
                throw new IllegalArgumentException("chunk " + i + " is null");
            }
            if (!chunk.isDirect())
            {
                throw new IllegalArgumentException("chunk " + i + " is not direct or mapped memory");
            }
            if (i < chunks.length - 1 && chunk.capacity() != CHUNK_SIZE)
            {
                throw new IllegalArgumentException("chunk " + i + " must hold " + CHUNK_SIZE + " bytes");
            }
            chunkAddresses[i] = BufferUtil.address(chunk);
            total += chunk.capacity();
        }
        if (total - 1 > Long.MAX_VALUE - iovaBase)
        {
            throw new IllegalArgumentException("IOVA range overflows");
        }
        this.iovaBase = iovaBase;
        this.size = total;
        this.chunks = chunks.clone();
        freeRanges.put(0L, total);
    }

    /**
     * Allocates zeroed, page-aligned direct memory for an in-process domain.
     *
     * @param iovaBase the IOVA of the first byte; positive.
     * @param size     bytes, 1..{@link #MAX_SIZE}.
     * @return the domain memory.
     * @throws IllegalArgumentException for a bad base or size, or a range that overflows.
     * @throws IllegalStateException    when the JVM cannot reserve that much direct memory.
     */
    public static DomainMemory allocateDirect(final long iovaBase, final long size)
    {
        AgronaAccess.ensureAvailable();
        if (size <= 0 || size > MAX_SIZE)
        {
            throw new IllegalArgumentException("size must be in 1.." + MAX_SIZE + ": " + size);
        }
        if (iovaBase <= 0 || size > Long.MAX_VALUE - iovaBase)
        {
            throw new IllegalArgumentException("iovaBase must be positive and iovaBase + size must not overflow: " +
                iovaBase + " + " + size);
        }
        final long maxDirect = maxDirectMemory();
        if (size > maxDirect)
        {
            throw new IllegalStateException("cannot allocate " + size + " bytes of direct memory: " +
                "the JVM may reserve " + maxDirect + " (-XX:MaxDirectMemorySize)");
        }
        final int count = (int)((size + CHUNK_SIZE - 1) >>> CHUNK_SHIFT);
        final ByteBuffer[] chunks = new ByteBuffer[count];
        long remaining = size;
        try
        {
            for (int i = 0; i < count; i++)
            {
                final int length = (int)Math.min(remaining, CHUNK_SIZE);
                chunks[i] = BufferUtil.allocateDirectAligned(length, 4096);
                remaining -= length;
            }
        }
        catch (final OutOfMemoryError ex)
        {
            throw new IllegalStateException("cannot allocate " + size + " bytes of direct memory (see " +
                "-XX:MaxDirectMemorySize): " + ex.getMessage(), ex);
        }
        return new DomainMemory(iovaBase, chunks);
    }

    private static long maxDirectMemory()
    {
        try
        {
            final com.sun.management.HotSpotDiagnosticMXBean bean = java.lang.management.ManagementFactory
                .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            final long configured = Long.parseLong(bean.getVMOption("MaxDirectMemorySize").getValue());
            return configured > 0 ? configured : Runtime.getRuntime().maxMemory();
        }
        catch (final RuntimeException | LinkageError ex)
        {
            return Long.MAX_VALUE;
        }
    }

    /**
     * The first IOVA of the domain.
     *
     * @return the base IOVA.
     */
    public long iovaBase()
    {
        return iovaBase;
    }

    /**
     * The number of bytes in the domain.
     *
     * @return the size.
     */
    public long size()
    {
        return size;
    }

    /**
     * Translates and bounds checks a range. Overflowing or wrapping ranges, IOVA 0 and empty ranges are invalid.
     *
     * @param iova   first IOVA of the range (unsigned).
     * @param length bytes in the range, positive.
     * @return the offset of the range in this domain, or {@link #INVALID}.
     */
    public long offsetOf(final long iova, final long length)
    {
        final long offset = iova - iovaBase;
        if (length <= 0 || Long.compareUnsigned(offset, size) >= 0 || length > size - offset)
        {
            return INVALID;
        }
        return offset;
    }

    /**
     * The address of a byte; the caller has checked the offset.
     *
     * @param offset in the domain.
     * @return the virtual address.
     */
    public long address(final long offset)
    {
        return chunkAddresses[(int)(offset >>> CHUNK_SHIFT)] + (offset & CHUNK_MASK);
    }

    /**
     * Copies bytes between two checked ranges, splitting at chunk boundaries.
     *
     * @param src       source domain.
     * @param srcOffset checked source offset.
     * @param dst       destination domain.
     * @param dstOffset checked destination offset.
     * @param length    bytes.
     */
    public static void copy(
        final DomainMemory src, final long srcOffset, final DomainMemory dst, final long dstOffset, final long length)
    {
        final long srcInChunk = srcOffset & CHUNK_MASK;
        final long dstInChunk = dstOffset & CHUNK_MASK;
        if (srcInChunk + length <= CHUNK_SIZE && dstInChunk + length <= CHUNK_SIZE)
        {
            // the common case, every job of a domain of one chunk: one copy, no loop
            UnsafeApi.copyMemory(
                src.chunkAddresses[(int)(srcOffset >>> CHUNK_SHIFT)] + srcInChunk,
                dst.chunkAddresses[(int)(dstOffset >>> CHUNK_SHIFT)] + dstInChunk,
                length);
            return;
        }
        long s = srcOffset;
        long d = dstOffset;
        long remaining = length;
        while (remaining > 0)
        {
            final long n = Math.min(remaining,
                Math.min(CHUNK_SIZE - (s & CHUNK_MASK), CHUNK_SIZE - (d & CHUNK_MASK)));
            UnsafeApi.copyMemory(src.address(s), dst.address(d), n);
            s += n;
            d += n;
            remaining -= n;
        }
    }

    /**
     * Fills a checked range with a 64-bit pattern: byte {@code j} of the range is byte {@code j % 8} of the
     * pattern in little-endian order, as DPDK's fill on x86.
     *
     * @param offset  checked offset.
     * @param length  bytes.
     * @param pattern the pattern.
     */
    public void fill(final long offset, final long length, final long pattern)
    {
        long position = offset;
        long done = 0;
        while (done < length)
        {
            final long n = Math.min(length - done, CHUNK_SIZE - (position & CHUNK_MASK));
            fillContiguous(address(position), n, Long.rotateRight(pattern, (int)((done & 7) << 3)));
            position += n;
            done += n;
        }
    }

    private static void fillContiguous(final long address, final long length, final long littleEndianPattern)
    {
        final long word = LITTLE_ENDIAN ? littleEndianPattern : Long.reverseBytes(littleEndianPattern);
        if (length >= 256)
        {
            // write one 64-byte block, then double what is filled with copies (no setMemory: on a mapping truncated
            // under us it would crash the JVM, where a faulting copyMemory raises an InternalError the engine catches)
            for (int k = 0; k < 64; k += 8)
            {
                UnsafeApi.putLong(null, address + k, word);
            }
            long filled = 64;
            while (filled < length)
            {
                final long n = Math.min(Math.min(filled, 4096), length - filled);
                UnsafeApi.copyMemory(address, address + filled, n);
                filled += n;
            }
            return;
        }
        long i = 0;
        for (; i + 8 <= length; i += 8)
        {
            UnsafeApi.putLong(null, address + i, word);
        }
        for (; i < length; i++)
        {
            UnsafeApi.putByte(null, address + i, (byte)(littleEndianPattern >>> ((i & 7) << 3)));
        }
    }

    /**
     * Allocates a region from the domain, aligned to {@link #REGION_ALIGNMENT} and never crossing a chunk.
     *
     * @param length bytes, 1..{@link #CHUNK_SIZE}.
     * @return the region.
     * @throws IllegalArgumentException for a bad length.
     * @throws IllegalStateException    when no free range is large enough, or the memory was closed.
     */
    public DmaRegion allocate(final long length)
    {
        return allocate(null, length);
    }

    /**
     * Allocates a region, as {@link #allocate(long)}, and publishes it under a name through the memory's
     * {@link RegionNaming} (for a shared-memory domain: in the control segment, where members of a group it shares
     * with a peer find its IOVA and length by domain and name). {@link DmaRegion#close()} withdraws it.
     *
     * @param name   the name, unique in the domain; null for an unnamed region (as {@link #allocate(long)}).
     * @param length bytes, 1..{@link #CHUNK_SIZE}.
     * @return the region.
     * @throws IllegalArgumentException for a bad length.
     * @throws IllegalStateException    when no free range is large enough, or the memory was closed.
     * @throws DmaException             with the naming's errno (EINVAL for a name too long, EEXIST for a name in use,
     *                                  ENOSPC when the table of names is full), or ENOTSUP when this memory has no
     *                                  naming (a domain that is not shared).
     */
    public DmaRegion allocate(final String name, final long length)
    {
        if (null == name)
        {
            return allocateRange(null, length);
        }
        final RegionNaming currentNaming = naming;
        if (null == currentNaming)
        {
            throw new DmaException(Errno.ENOTSUP, "this domain memory cannot publish named regions: " + name);
        }
        final DmaRegion region = allocateRange(name, length);
        final int rc = currentNaming.publish(name, region.iova(), region.length());
        if (rc < 0)
        {
            release(region.iova() - iovaBase, (length + REGION_ALIGNMENT - 1) & -REGION_ALIGNMENT);
            throw new DmaException(-rc, "cannot publish region " + name);
        }
        return region;
    }

    /**
     * Sets where named regions are published; set once by the domain that owns the memory.
     *
     * @param naming publishes and withdraws names.
     */
    public void regionNaming(final RegionNaming naming)
    {
        this.naming = naming;
    }

    void unpublish(final String name)
    {
        final RegionNaming currentNaming = naming;
        if (null != currentNaming)
        {
            currentNaming.unpublish(name);
        }
    }

    private synchronized DmaRegion allocateRange(final String name, final long length)
    {
        if (closed)
        {
            throw new IllegalStateException("domain memory is closed (its segment was unmapped)");
        }
        if (length <= 0 || length > CHUNK_SIZE)
        {
            throw new IllegalArgumentException("region length must be 1.." + CHUNK_SIZE + ": " + length);
        }
        final long rounded = (length + REGION_ALIGNMENT - 1) & -REGION_ALIGNMENT;
        for (final Map.Entry<Long, Long> free : freeRanges.entrySet())
        {
            final long start = free.getKey();
            final long end = start + free.getValue();
            long candidate = start;
            if ((candidate >>> CHUNK_SHIFT) != ((candidate + rounded - 1) >>> CHUNK_SHIFT))
            {
                candidate = ((candidate >>> CHUNK_SHIFT) + 1) << CHUNK_SHIFT;
            }
            if (candidate + rounded <= end)
            {
                freeRanges.remove(start);
                if (candidate > start)
                {
                    freeRanges.put(start, candidate - start);
                }
                if (candidate + rounded < end)
                {
                    freeRanges.put(candidate + rounded, end - candidate - rounded);
                }
                return new DmaRegion(this, name, iovaBase + candidate, length, rounded, address(candidate));
            }
        }
        throw new IllegalStateException("domain memory exhausted: no free range of " + rounded + " bytes in " + size);
    }

    /**
     * Where the named regions of a domain memory are published (the control segment for a shared-memory domain).
     */
    public interface RegionNaming
    {
        /**
         * Publishes a region under a name.
         *
         * @param name   the name.
         * @param iova   IOVA of the first byte.
         * @param length bytes.
         * @return 0 or more on success, else a negative errno.
         */
        int publish(String name, long iova, long length);

        /**
         * Withdraws a name; never throws (the name may already be gone with its domain).
         *
         * @param name the name.
         */
        void unpublish(String name);
    }

    synchronized void release(final long offset, final long length)
    {
        long start = offset;
        long end = offset + length;
        final Map.Entry<Long, Long> before = freeRanges.floorEntry(start);
        if (before != null && before.getKey() + before.getValue() == start)
        {
            start = before.getKey();
            freeRanges.remove(start);
        }
        final Long afterLength = freeRanges.remove(end);
        if (afterLength != null)
        {
            end += afterLength;
        }
        freeRanges.put(start, end - start);
    }

    /**
     * Bytes not allocated to a region.
     *
     * @return free bytes.
     */
    public synchronized long freeBytes()
    {
        long total = 0;
        for (final long length : freeRanges.values())
        {
            total += length;
        }
        return total;
    }

    /**
     * Marks this memory as released by its owner (for mapped memory: about to be unmapped). Later
     * {@link #allocate} calls throw; regions taken earlier must no longer be used, their buffers point at
     * memory that is gone.
     */
    public void close()
    {
        closed = true;
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * Keeps the backing buffers reachable for as long as this object is.
     *
     * @return the number of chunks.
     */
    public int chunkCount()
    {
        return chunks.length;
    }
}
