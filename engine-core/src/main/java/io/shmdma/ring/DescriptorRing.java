package io.shmdma.ring;

import io.shmdma.Completion;
import io.shmdma.DmaOp;
import io.shmdma.DmaSge;
import io.shmdma.DmaStats;
import io.shmdma.DmaStatus;
import io.shmdma.Errno;
import io.shmdma.OpFlags;
import io.shmdma.VchanStatus;
import io.shmdma.memory.SharedMemory;
import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;

import static io.shmdma.ring.RingDescriptor.*;

/**
 * The application side of one vchan's descriptor ring ({@link RingDescriptor} has the layout): enqueue,
 * doorbell, and completion gathering with DPDK's semantics. Used by one application thread at a time;
 * never allocates, locks or throws on the data path.
 */
public final class DescriptorRing
{
    /** Ring indices are uint16 and wrap at 65535 -> 0. */
    public static final int RING_IDX_MASK = 0xFFFF;

    private final AtomicBuffer buffer;
    private final int capacity;
    private final int mask;
    private final int nbDesc;
    private final int maxSges;
    private final boolean silent;
    /** In-flight operation objects of the enqueue/dequeue-ops mode, by slot; null otherwise. */
    private final DmaOp[] inFlightOps;

    private long tail;
    /** Jobs up to here carry their submit stamp; the application side's copy of the submitted index. */
    private long submittedTail;
    private long head;
    private long startIndex;
    private int lastIdx = RING_IDX_MASK;
    private boolean batchStart = true;
    private long submittedBaseline;
    private long completedBaseline;
    private long errorsBaseline;

    /**
     * Formats a ring in a buffer and takes its application side.
     *
     * @param buffer  of at least {@link RingDescriptor#ringLength} bytes, aligned to 8.
     * @param nbDesc  descriptors requested; capacity is the next power of two.
     * @param maxSges SGE entries per side per descriptor.
     * @param silent  whether completions are not reported (SILENT mode).
     * @param opsMode whether the enqueue/dequeue-ops mode is used.
     * @throws IllegalArgumentException for a null or too small buffer, or nbDesc or maxSges out of range.
     */
    public DescriptorRing(
        final AtomicBuffer buffer, final int nbDesc, final int maxSges, final boolean silent, final boolean opsMode)
    {
        if (buffer == null)
        {
            throw new IllegalArgumentException("ring buffer is null");
        }
        if (nbDesc <= 0 || nbDesc > RingDescriptor.MAX_CAPACITY)
        {
            throw new IllegalArgumentException("nbDesc must be in 1.." + RingDescriptor.MAX_CAPACITY + ": " + nbDesc);
        }
        this.capacity = BitUtil.findNextPositivePowerOfTwo(nbDesc);
        if (buffer.capacity() < ringLength(capacity, maxSges))
        {
            throw new IllegalArgumentException("ring buffer too small: " + buffer.capacity() + " < " +
                ringLength(capacity, maxSges));
        }
        buffer.verifyAlignment();
        this.buffer = buffer;
        this.mask = capacity - 1;
        this.nbDesc = nbDesc;
        this.maxSges = maxSges;
        this.silent = silent;
        this.inFlightOps = opsMode ? new DmaOp[capacity] : null;
        SharedMemory.clear(buffer, 0, ringLength(capacity, maxSges));
        buffer.putInt(CAPACITY_OFFSET, capacity);
        buffer.putInt(MAX_SGES_OFFSET, maxSges);
        buffer.putInt(NB_DESC_OFFSET, nbDesc);
        buffer.putLongRelease(SUBMITTED_INDEX_OFFSET, 0);
    }

    /**
     * The underlying buffer, shared with the engine.
     *
     * @return the buffer.
     */
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /**
     * Slots in the ring, a power of two of at least nbDesc.
     *
     * @return the capacity.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * SGE entries per side per descriptor.
     *
     * @return max SGEs.
     */
    public int maxSges()
    {
        return maxSges;
    }

    /**
     * Enqueues a copy.
     *
     * @param src    source IOVA.
     * @param dst    destination IOVA.
     * @param length bytes, unsigned 32-bit, not zero.
     * @param flags  {@link OpFlags}.
     * @return the ring index, or a negative errno.
     */
    public int copy(final long src, final long dst, final int length, final long flags)
    {
        if (length == 0 || (flags & ~OpFlags.VALID_MASK) != 0)
        {
            return -Errno.EINVAL;
        }
        if (isFull())
        {
            return -Errno.ENOSPC;
        }
        final int offset = descriptorOffset((int)tail & mask);
        buffer.putInt(offset + OPCODE_OFFSET, OP_COPY);
        buffer.putLong(offset + SRC_OFFSET, src);
        buffer.putLong(offset + DST_OFFSET, dst);
        buffer.putInt(offset + LENGTH_OFFSET, length);
        return publish(offset, flags);
    }

    /**
     * Enqueues a fill.
     *
     * @param pattern 64-bit pattern, little-endian byte order in memory.
     * @param dst     destination IOVA.
     * @param length  bytes, unsigned 32-bit, not zero.
     * @param flags   {@link OpFlags}.
     * @return the ring index, or a negative errno.
     */
    public int fill(final long pattern, final long dst, final int length, final long flags)
    {
        if (length == 0 || (flags & ~OpFlags.VALID_MASK) != 0)
        {
            return -Errno.EINVAL;
        }
        if (isFull())
        {
            return -Errno.ENOSPC;
        }
        final int offset = descriptorOffset((int)tail & mask);
        buffer.putInt(offset + OPCODE_OFFSET, OP_FILL);
        buffer.putLong(offset + SRC_OFFSET, pattern);
        buffer.putLong(offset + DST_OFFSET, dst);
        buffer.putInt(offset + LENGTH_OFFSET, length);
        return publish(offset, flags);
    }

    /**
     * Enqueues a scatter-gather copy.
     *
     * @param src   source entries.
     * @param dst   destination entries.
     * @param nbSrc source entries used, 1..maxSges.
     * @param nbDst destination entries used, 1..maxSges.
     * @param flags {@link OpFlags}.
     * @return the ring index, or a negative errno.
     */
    public int copySg(final DmaSge[] src, final DmaSge[] dst, final int nbSrc, final int nbDst, final long flags)
    {
        if (src == null || dst == null || nbSrc <= 0 || nbDst <= 0 || nbSrc > maxSges || nbDst > maxSges ||
            nbSrc > src.length || nbDst > dst.length || (flags & ~OpFlags.VALID_MASK) != 0)
        {
            return -Errno.EINVAL;
        }
        if (isFull())
        {
            return -Errno.ENOSPC;
        }
        final int slot = (int)tail & mask;
        for (int i = 0; i < nbSrc; i++)
        {
            final DmaSge sge = src[i];
            if (sge == null)
            {
                return -Errno.EINVAL;
            }
            final int offset = sgeOffset(capacity, maxSges, slot, false, i);
            buffer.putLong(offset, sge.addr);
            buffer.putInt(offset + 8, sge.length);
        }
        for (int i = 0; i < nbDst; i++)
        {
            final DmaSge sge = dst[i];
            if (sge == null)
            {
                return -Errno.EINVAL;
            }
            final int offset = sgeOffset(capacity, maxSges, slot, true, i);
            buffer.putLong(offset, sge.addr);
            buffer.putInt(offset + 8, sge.length);
        }
        final int offset = descriptorOffset(slot);
        buffer.putInt(offset + OPCODE_OFFSET, OP_COPY_SG);
        buffer.putInt(offset + LENGTH_OFFSET, nbSrc);
        buffer.putInt(offset + NB_DST_OFFSET, nbDst);
        return publish(offset, flags);
    }

    /**
     * Whether nbDesc jobs are in flight. In silent mode nobody gathers completions, so the jobs the engine
     * has completed are taken back here, as a device in silent mode frees its descriptors by itself.
     */
    private boolean isFull()
    {
        if (tail - head < nbDesc)
        {
            return false;
        }
        if (silent)
        {
            head = buffer.getLongAcquire(COMPLETED_INDEX_OFFSET);
            return tail - head >= nbDesc;
        }
        return true;
    }

    private int publish(final int offset, final long flags)
    {
        buffer.putInt(offset + STATUS_OFFSET, DmaStatus.SUCCESSFUL.code());
        buffer.putLong(offset + FLAGS_OFFSET, batchStart ? flags | FLAG_BATCH_START : flags);
        batchStart = false;
        final int ringIdx = (int)(tail - startIndex) & RING_IDX_MASK;
        tail++;
        if ((flags & OpFlags.SUBMIT) != 0)
        {
            submit();
        }
        return ringIdx;
    }

    /**
     * Rings the doorbell: every enqueued job becomes visible to the engine.
     *
     * @return 0.
     */
    public int submit()
    {
        if (submittedTail != tail)
        {
            for (long index = submittedTail; index < tail; index++)
            {
                buffer.putLongRelease(descriptorOffset((int)index & mask) + STAMP_OFFSET, index + 1);
            }
            submittedTail = tail;
            buffer.putLongRelease(SUBMITTED_INDEX_OFFSET, tail);
            batchStart = true;
        }
        return 0;
    }

    /**
     * Gathers the run of successful completions, stopping at the first failed job ({@code rte_dma_completed}).
     *
     * @param nbCpls most jobs to report.
     * @param result receives lastIdx and hasError; may be null.
     * @return the number of successful jobs reported.
     */
    public int completed(final int nbCpls, final Completion result)
    {
        int count = 0;
        boolean hasError = false;
        if (!silent && nbCpls > 0)
        {
            final long available = buffer.getLongAcquire(COMPLETED_INDEX_OFFSET) - head;
            final int limit = (int)Math.min(available, nbCpls);
            while (count < limit)
            {
                if (buffer.getInt(descriptorOffset((int)(head + count) & mask) + STATUS_OFFSET) != 0)
                {
                    hasError = true;
                    break;
                }
                count++;
            }
            gathered(count);
        }
        if (result != null)
        {
            result.lastIdx = lastIdx;
            result.hasError = hasError;
        }
        return count;
    }

    /**
     * Gathers completions with their status, failed or not ({@code rte_dma_completed_status}).
     *
     * @param nbCpls most jobs to report, no more than {@code status.length}.
     * @param result receives lastIdx; may be null.
     * @param status receives each job's status.
     * @return the number of jobs reported.
     */
    public int completedStatus(final int nbCpls, final Completion result, final DmaStatus[] status)
    {
        int count = 0;
        if (!silent && nbCpls > 0 && status != null)
        {
            final long available = buffer.getLongAcquire(COMPLETED_INDEX_OFFSET) - head;
            count = (int)Math.min(available, Math.min(nbCpls, status.length));
            for (int i = 0; i < count; i++)
            {
                status[i] = DmaStatus.of(buffer.getInt(descriptorOffset((int)(head + i) & mask) + STATUS_OFFSET));
            }
            gathered(count);
        }
        if (result != null)
        {
            result.lastIdx = lastIdx;
            result.hasError = false;
        }
        return count;
    }

    private void gathered(final int count)
    {
        if (count > 0)
        {
            head += count;
            lastIdx = (int)(head - 1 - startIndex) & RING_IDX_MASK;
        }
    }

    /**
     * Enqueues operation objects and rings the doorbell ({@code rte_dma_enqueue_ops}).
     *
     * @param ops   the operations.
     * @param nbOps how many from the start of {@code ops}.
     * @return how many were enqueued; fewer when the ring fills or an op is malformed.
     */
    public int enqueueOps(final DmaOp[] ops, final int nbOps)
    {
        if (inFlightOps == null || ops == null)
        {
            return 0;
        }
        final int limit = Math.min(nbOps, ops.length);
        int enqueued = 0;
        while (enqueued < limit)
        {
            final DmaOp op = ops[enqueued];
            if (op == null)
            {
                break;
            }
            final long slotIndex = tail;
            final long flags = op.flags & ~OpFlags.SUBMIT;
            final int result = isPlainCopy(op) ?
                copy(op.src[0].addr, op.dst[0].addr, op.src[0].length, flags) :
                copySg(op.src, op.dst, op.nbSrc, op.nbDst, flags);
            if (result < 0)
            {
                break;
            }
            inFlightOps[(int)slotIndex & mask] = op;
            enqueued++;
        }
        if (enqueued > 0)
        {
            submit();
        }
        return enqueued;
    }

    /** One source and one destination entry of equal length; anything else, malformed included, goes to copySg. */
    private static boolean isPlainCopy(final DmaOp op)
    {
        return op.nbSrc == 1 && op.nbDst == 1 && op.src.length > 0 && op.dst.length > 0 &&
            op.src[0] != null && op.dst[0] != null && op.src[0].length == op.dst[0].length;
    }

    /**
     * Dequeues completed operation objects in order, each with its status ({@code rte_dma_dequeue_ops}).
     *
     * @param ops   receives the operations.
     * @param nbOps room in {@code ops}.
     * @return how many were dequeued.
     */
    public int dequeueOps(final DmaOp[] ops, final int nbOps)
    {
        if (inFlightOps == null || ops == null || nbOps <= 0)
        {
            return 0;
        }
        final long available = buffer.getLongAcquire(COMPLETED_INDEX_OFFSET) - head;
        final int count = (int)Math.min(available, Math.min(nbOps, ops.length));
        for (int i = 0; i < count; i++)
        {
            final int slot = (int)(head + i) & mask;
            final DmaOp op = inFlightOps[slot];
            inFlightOps[slot] = null;
            op.status = DmaStatus.of(buffer.getInt(descriptorOffset(slot) + STATUS_OFFSET));
            ops[i] = op;
        }
        gathered(count);
        return count;
    }

    /**
     * Room for more jobs in the current burst ({@code rte_dma_burst_capacity}).
     *
     * @return free descriptors.
     */
    public int burstCapacity()
    {
        if (silent)
        {
            head = buffer.getLongAcquire(COMPLETED_INDEX_OFFSET);
        }
        return (int)(nbDesc - (tail - head));
    }

    /**
     * Whether the engine has submitted jobs left ({@code rte_dma_vchan_status}).
     *
     * @param engineAlive whether the engine that serves this ring is running.
     * @return the status.
     */
    public VchanStatus status(final boolean engineAlive)
    {
        final boolean pending = buffer.getLongAcquire(COMPLETED_INDEX_OFFSET) != buffer.getLong(SUBMITTED_INDEX_OFFSET);
        if (!pending)
        {
            return VchanStatus.IDLE;
        }
        return engineAlive ? VchanStatus.ACTIVE : VchanStatus.HALTED_ERROR;
    }

    /**
     * Whether every submitted job has been executed.
     *
     * @return true when the engine has caught up with the doorbell.
     */
    public boolean drained()
    {
        return buffer.getLongAcquire(COMPLETED_INDEX_OFFSET) == buffer.getLongVolatile(SUBMITTED_INDEX_OFFSET);
    }

    /**
     * Restarts the ring after a stop: jobs enqueued but never submitted are dropped, completions not
     * gathered are discarded, and ring indices start again at 0. Call only when {@link #drained()}.
     */
    public void restart()
    {
        tail = buffer.getLongVolatile(SUBMITTED_INDEX_OFFSET);
        submittedTail = tail;
        head = tail;
        startIndex = tail;
        lastIdx = RING_IDX_MASK;
        batchStart = true;
        if (inFlightOps != null)
        {
            java.util.Arrays.fill(inFlightOps, null);
        }
    }

    /**
     * Adds this ring's counts since the last reset to {@code stats}.
     *
     * @param stats accumulates the counts.
     */
    public void addStats(final DmaStats stats)
    {
        stats.submitted += buffer.getLongVolatile(SUBMITTED_INDEX_OFFSET) - submittedBaseline;
        stats.completed += buffer.getLongVolatile(COMPLETED_INDEX_OFFSET) - completedBaseline;
        stats.errors += buffer.getLongVolatile(ERROR_COUNT_OFFSET) - errorsBaseline;
    }

    /** Resets the counts, by taking the current totals as the new baseline. */
    public void resetStats()
    {
        errorsBaseline = buffer.getLongVolatile(ERROR_COUNT_OFFSET);
        completedBaseline = buffer.getLongVolatile(COMPLETED_INDEX_OFFSET);
        submittedBaseline = buffer.getLongVolatile(SUBMITTED_INDEX_OFFSET);
    }
}
