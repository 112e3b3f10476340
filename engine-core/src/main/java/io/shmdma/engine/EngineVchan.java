package io.shmdma.engine;

import io.shmdma.DmaStatus;
import io.shmdma.OpFlags;
import io.shmdma.memory.DomainEndpoint;
import io.shmdma.memory.DomainMemory;
import org.agrona.concurrent.AtomicBuffer;

import static io.shmdma.ring.RingDescriptor.*;

/**
 * The engine side of one vchan: reads submitted descriptors from the ring, bounds checks and executes
 * them between the two endpoints' domains, writes each status and publishes the completed index.
 * Used by the engine thread only.
 */
final class EngineVchan
{
    private final AtomicBuffer ring;
    private final DomainEndpoint source;
    private final DomainEndpoint destination;
    private final int capacity;
    private final int mask;
    private final int maxSges;
    private long processed;
    private long errors;
    private boolean failedInBatch;
    private boolean skipping;

    EngineVchan(final AtomicBuffer ring, final DomainEndpoint source, final DomainEndpoint destination)
    {
        this.ring = ring;
        this.source = source;
        this.destination = destination;
        this.capacity = ring.getInt(CAPACITY_OFFSET);
        this.mask = capacity - 1;
        this.maxSges = ring.getInt(MAX_SGES_OFFSET);
        this.processed = ring.getLongVolatile(COMPLETED_INDEX_OFFSET);
        this.errors = ring.getLongVolatile(ERROR_COUNT_OFFSET);
    }

    /**
     * Executes up to {@code limit} submitted jobs.
     *
     * @param limit most jobs to execute.
     * @return jobs executed.
     */
    int process(final int limit)
    {
        int done = 0;
        while (done < limit)
        {
            final int offset = descriptorOffset((int)processed & mask);
            if (ring.getLongAcquire(offset + STAMP_OFFSET) != processed + 1)
            {
                break; // not submitted yet: the stamp still holds the previous lap's index (or 0)
            }
            final long flags = ring.getLong(offset + FLAGS_OFFSET);
            if ((flags & FLAG_BATCH_START) != 0)
            {
                failedInBatch = false;
                skipping = false;
            }
            if (failedInBatch && (flags & OpFlags.FENCE) != 0)
            {
                skipping = true;
            }
            final int status = skipping ? DmaStatus.NOT_ATTEMPTED.code() : executeGuarded(offset, (int)processed & mask);
            if (status != 0)
            {
                failedInBatch = true;
                ring.putInt(offset + STATUS_OFFSET, status);
                ring.putLongRelease(ERROR_COUNT_OFFSET, ++errors);
            }
            ring.putLongRelease(COMPLETED_INDEX_OFFSET, ++processed);
            done++;
        }
        return done;
    }

    /**
     * Executes one job. A mapped file truncated under us (only a process with write access to it can do that,
     * shmdma never does) raises SIGBUS, which HotSpot turns into an {@link InternalError} from the faulting
     * Unsafe copy: the job then fails with BUS_ERROR instead of killing the engine. Java 17 may deliver that
     * error a little later than the copy (see docs/reliability.md).
     */
    private int executeGuarded(final int offset, final int slot)
    {
        try
        {
            return execute(offset, slot);
        }
        catch (final InternalError ex)
        {
            return DmaStatus.BUS_ERROR.code();
        }
    }

    private int execute(final int offset, final int slot)
    {
        final int opcode = ring.getInt(offset + OPCODE_OFFSET);
        switch (opcode)
        {
            case OP_COPY:
                return copy(ring.getLong(offset + SRC_OFFSET), ring.getLong(offset + DST_OFFSET),
                    Integer.toUnsignedLong(ring.getInt(offset + LENGTH_OFFSET)));
            case OP_FILL:
                return fill(ring.getLong(offset + SRC_OFFSET), ring.getLong(offset + DST_OFFSET),
                    Integer.toUnsignedLong(ring.getInt(offset + LENGTH_OFFSET)));
            case OP_COPY_SG:
                return copySg(slot, ring.getInt(offset + LENGTH_OFFSET), ring.getInt(offset + NB_DST_OFFSET));
            default:
                return DmaStatus.INVALID_OPCODE.code();
        }
    }

    private int copy(final long src, final long dst, final long length)
    {
        final DomainMemory srcMemory = source.memory();
        if (srcMemory == null)
        {
            return DmaStatus.INVALID_SRC_ADDR.code();
        }
        final DomainMemory dstMemory = destination.memory();
        if (dstMemory == null)
        {
            return DmaStatus.INVALID_DST_ADDR.code();
        }
        final long srcOffset = srcMemory.offsetOf(src, length);
        if (srcOffset == DomainMemory.INVALID)
        {
            return DmaStatus.INVALID_SRC_ADDR.code();
        }
        final long dstOffset = dstMemory.offsetOf(dst, length);
        if (dstOffset == DomainMemory.INVALID)
        {
            return DmaStatus.INVALID_DST_ADDR.code();
        }
        DomainMemory.copy(srcMemory, srcOffset, dstMemory, dstOffset, length);
        return 0;
    }

    private int fill(final long pattern, final long dst, final long length)
    {
        final DomainMemory dstMemory = destination.memory();
        if (dstMemory == null)
        {
            return DmaStatus.INVALID_DST_ADDR.code();
        }
        final long dstOffset = dstMemory.offsetOf(dst, length);
        if (dstOffset == DomainMemory.INVALID)
        {
            return DmaStatus.INVALID_DST_ADDR.code();
        }
        dstMemory.fill(dstOffset, length, pattern);
        return 0;
    }

    private int copySg(final int slot, final int nbSrc, final int nbDst)
    {
        if (nbSrc <= 0 || nbDst <= 0 || nbSrc > maxSges || nbDst > maxSges)
        {
            return DmaStatus.INVALID_OPCODE.code();
        }
        final DomainMemory srcMemory = source.memory();
        if (srcMemory == null)
        {
            return DmaStatus.INVALID_SRC_ADDR.code();
        }
        final DomainMemory dstMemory = destination.memory();
        if (dstMemory == null)
        {
            return DmaStatus.INVALID_DST_ADDR.code();
        }
        final long srcTotal = checkEntries(srcMemory, slot, false, nbSrc);
        if (srcTotal < 0)
        {
            return DmaStatus.INVALID_SRC_ADDR.code();
        }
        final long dstTotal = checkEntries(dstMemory, slot, true, nbDst);
        if (dstTotal < 0)
        {
            return DmaStatus.INVALID_DST_ADDR.code();
        }
        if (srcTotal != dstTotal)
        {
            return DmaStatus.INVALID_LENGTH.code();
        }

        int srcEntry = 0;
        int dstEntry = 0;
        long srcUsed = 0;
        long dstUsed = 0;
        long remaining = srcTotal;
        while (remaining > 0)
        {
            final int srcSge = sgeOffset(capacity, maxSges, slot, false, srcEntry);
            final int dstSge = sgeOffset(capacity, maxSges, slot, true, dstEntry);
            final long srcLength = Integer.toUnsignedLong(ring.getInt(srcSge + 8));
            final long dstLength = Integer.toUnsignedLong(ring.getInt(dstSge + 8));
            final long n = Math.min(srcLength - srcUsed, dstLength - dstUsed);
            if (n > 0)
            {
                DomainMemory.copy(
                    srcMemory, srcMemory.offsetOf(ring.getLong(srcSge), srcLength) + srcUsed,
                    dstMemory, dstMemory.offsetOf(ring.getLong(dstSge), dstLength) + dstUsed,
                    n);
            }
            srcUsed += n;
            dstUsed += n;
            remaining -= n;
            if (srcUsed == srcLength)
            {
                srcEntry++;
                srcUsed = 0;
            }
            if (dstUsed == dstLength)
            {
                dstEntry++;
                dstUsed = 0;
            }
        }
        return 0;
    }

    /** Sum of the entries' lengths, or -1 when one is empty or outside the domain. */
    private long checkEntries(final DomainMemory memory, final int slot, final boolean destination, final int count)
    {
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            final int sge = sgeOffset(capacity, maxSges, slot, destination, i);
            final long length = Integer.toUnsignedLong(ring.getInt(sge + 8));
            if (memory.offsetOf(ring.getLong(sge), length) == DomainMemory.INVALID)
            {
                return -1;
            }
            total += length;
        }
        return total;
    }
}
