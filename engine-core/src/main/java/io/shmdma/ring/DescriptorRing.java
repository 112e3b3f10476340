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
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import static io.shmdma.ring.RingDescriptor.*;

/**
 * The application side of one vchan's descriptor ring ({@link RingDescriptor} has the layout): enqueue,
 * doorbell, and completion gathering with DPDK's semantics. Used by one application thread at a time;
 * never allocates, locks or throws on the data path.
 * <p>
 * Everything read from the ring is untrusted (any process that can write the file can change any byte): each
 * word is read once into a local and checked against what this side knows. A job is complete when its slot's
 * completion word carries the job's tag (its ring index + 1) and a status: the engine writes it, this side never
 * writes it, so gathering reads lines only the engine writes and enqueueing writes lines only this side writes.
 * Only jobs this side submitted are ever looked at, so a forged completed index or error count can neither report
 * a job that never ran as done nor report more jobs than were submitted. A ring found in an impossible state
 * (a completed index beyond the submitted jobs, negative or going backwards, an error count beyond the completed
 * index, a status word no engine writes, a completion word tagged with a job not submitted yet, or a completed
 * index over a job that never ran) is halted: the vchan
 * reports {@link VchanStatus#HALTED_ERROR}, enqueue and submit return {@code -EIO}, every job not yet gathered
 * is reported failed with {@link DmaStatus#ERROR_UNKNOWN}, and {@link #takeHaltReport()} hands out one
 * description of it, once. A restart (after a stop) rewrites the header and runs the ring again.
 * <p>
 * Why over 800 lines: it is one protocol, whose every check of a mapped word sits on the data path next to the
 * read it checks; splitting it would put calls and shared state between classes on that path. About a quarter
 * of it is Javadoc.
 */
public final class DescriptorRing
{
    /** Ring indices are uint16 and wrap at 65535 -> 0. */
    public static final int RING_IDX_MASK = 0xFFFF;
    /**
     * Status of a job whose completion word still carries an earlier job's tag: not executed yet. Not a DPDK code,
     * and no engine writes it.
     */
    public static final int STATUS_NOT_EXECUTED = -1;
    /** Halt reason: not halted. */
    public static final int HALT_NONE = 0;
    /** Halt reason: the completed index was negative, beyond the jobs submitted, or went backwards. */
    public static final int HALT_COMPLETED_INDEX = 1;
    /** Halt reason: the error count was negative, beyond the completed index, or went backwards. */
    public static final int HALT_ERROR_COUNT = 2;
    /** Halt reason: a job's status word held a code that no engine writes. */
    public static final int HALT_STATUS_WORD = 3;
    /** Halt reason: the completed index covered a job whose status word says it never ran. */
    public static final int HALT_NOT_EXECUTED = 4;
    /** Halt reason: the engine of another process that served the ring is gone (driver mode). */
    public static final int HALT_ENGINE_GONE = 5;

    /** {@link #jobStatus}: the job has not completed. */
    private static final long NOT_DONE = Long.MIN_VALUE;
    /** {@link #jobStatus}: the completion word is one no engine writes; the ring is halted. */
    private static final long FORGED = Long.MAX_VALUE;
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private static final VarHandle SUBMITTED_TAIL;
    private static final VarHandle HEAD;
    private static final VarHandle COMPLETED_SEEN;
    private static final VarHandle ERRORS_SEEN;
    private static final VarHandle HALT_REASON;
    private static final VarHandle HALT_RECORDED;
    private static final VarHandle HALT_REPORTED;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            SUBMITTED_TAIL = lookup.findVarHandle(DescriptorRing.class, "submittedTail", long.class);
            HEAD = lookup.findVarHandle(DescriptorRing.class, "head", long.class);
            COMPLETED_SEEN = lookup.findVarHandle(DescriptorRing.class, "completedSeen", long.class);
            ERRORS_SEEN = lookup.findVarHandle(DescriptorRing.class, "errorsSeen", long.class);
            HALT_REASON = lookup.findVarHandle(DescriptorRing.class, "haltReason", int.class);
            HALT_RECORDED = lookup.findVarHandle(DescriptorRing.class, "haltRecorded", boolean.class);
            HALT_REPORTED = lookup.findVarHandle(DescriptorRing.class, "haltReported", boolean.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final AtomicBuffer buffer;
    /**
     * The buffer's memory for the per-job accesses, which go around the buffer's bounds checks: every descriptor, SGE
     * and completion offset is computed from this side's own capacity and slot, inside the length checked once by the
     * constructor. The header's fields keep the buffer's checked accessors.
     */
    private final byte[] base;
    private final long address;
    private final int capacity;
    private final int mask;
    /** Offset of slot 0's completion word. */
    private final int completionBase;
    private final int nbDesc;
    private final int maxSges;
    private final boolean silent;
    /** In-flight operation objects of the enqueue/dequeue-ops mode, by slot; null otherwise. */
    private final DmaOp[] inFlightOps;

    private long tail;
    /**
     * Jobs up to here carry their submit stamp: this side's own count of submitted jobs, the bound of every
     * completion. Written by the application thread with release semantics before the stamps, so any thread that
     * reads it after a completed index sees at least that many.
     */
    private long submittedTail;
    /**
     * Jobs before here are gathered (or, in silent mode, taken back). Written by the application thread with
     * release semantics before a slot is reused, so a thread that reads it after a status word knows whether that
     * word can belong to a newer job.
     */
    private long head;
    private long startIndex;
    private int lastIdx = RING_IDX_MASK;
    private boolean batchStart = true;
    /** Highest completed index found valid; any thread raises it, a completed index below it is impossible. */
    private long completedSeen;
    /** Highest error count found valid; any thread raises it, an error count below it is impossible. */
    private long errorsSeen;
    private volatile long submittedBaseline;
    private volatile long completedBaseline;
    private volatile long errorsBaseline;

    /** One of {@code HALT_*}; set once by compare-and-set, cleared by {@link #restart()}. */
    private volatile int haltReason;
    /** Whether the halt's details below are written (release store by the thread that halted the ring). */
    private boolean haltRecorded;
    /** Whether {@link #takeHaltReport()} has handed the report out. */
    private boolean haltReported;
    private long haltIndex;
    private long haltValue;
    private long haltLowerBound;
    private long haltUpperBound;

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
        this.base = buffer.byteArray();
        this.address = buffer.addressOffset();
        this.mask = capacity - 1;
        this.completionBase = completionOffset(capacity, 0);
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
     * Descriptors requested at setup ({@code nb_desc}): at most this many jobs are in flight.
     *
     * @return nbDesc.
     */
    public int nbDesc()
    {
        return nbDesc;
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
        return enqueue(OP_COPY, src, dst, length, flags);
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
        return enqueue(OP_FILL, pattern, dst, length, flags);
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
        final int refusal = refusal();
        if (refusal != 0)
        {
            return refusal;
        }
        final int slot = (int)tail & mask;
        if (!putSges(src, nbSrc, slot, false) || !putSges(dst, nbDst, slot, true))
        {
            return -Errno.EINVAL;
        }
        final int offset = descriptorOffset(slot);
        UnsafeApi.putLong(base, address + offset + OPCODE_OFFSET, opcodeAndLength(OP_COPY_SG, nbSrc));
        UnsafeApi.putLong(base, address + offset + NB_DST_OFFSET, nbDst);
        return publish(offset, flags);
    }

    /**
     * Enqueues a copy or a fill: one descriptor of {@code opcode} with its source (an IOVA, or the fill pattern) and
     * destination.
     */
    private int enqueue(final int opcode, final long src, final long dst, final int length, final long flags)
    {
        if (length == 0 || (flags & ~OpFlags.VALID_MASK) != 0)
        {
            return -Errno.EINVAL;
        }
        final int refusal = refusal();
        if (refusal != 0)
        {
            return refusal;
        }
        final int offset = descriptorOffset((int)tail & mask);
        final long descriptor = address + offset;
        UnsafeApi.putLong(base, descriptor + OPCODE_OFFSET, opcodeAndLength(opcode, length));
        UnsafeApi.putLong(base, descriptor + SRC_OFFSET, src);
        UnsafeApi.putLong(base, descriptor + DST_OFFSET, dst);
        return publish(offset, flags);
    }

    /**
     * Why a valid job cannot be enqueued now: -EIO on a halted ring, -ENOSPC on a full one, else 0.
     */
    private int refusal()
    {
        if (haltReason != HALT_NONE)
        {
            return -Errno.EIO;
        }
        if (isFull())
        {
            return -Errno.ENOSPC;
        }
        return 0;
    }

    /**
     * Writes {@code count} scatter-gather entries of the job in {@code slot}, source or destination side.
     *
     * @return false if an entry is null (the job is refused; what was written is never published).
     */
    private boolean putSges(final DmaSge[] sges, final int count, final int slot, final boolean destination)
    {
        for (int i = 0; i < count; i++)
        {
            final DmaSge sge = sges[i];
            if (sge == null)
            {
                return false;
            }
            final int offset = sgeOffset(capacity, maxSges, slot, destination, i);
            UnsafeApi.putLong(base, address + offset, sge.addr);
            UnsafeApi.putInt(base, address + offset + 8, sge.length);
        }
        return true;
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
            takeBackSilentCompletions();
            return haltReason != HALT_NONE || tail - head >= nbDesc;
        }
        return true;
    }

    /**
     * Silent mode: moves head to the engine's completed index, read once and checked: between head and the jobs
     * submitted, and the job before it must carry a status the engine wrote (so a forged index cannot hand back
     * slots of jobs that have not run). Halts the ring otherwise.
     */
    private void takeBackSilentCompletions()
    {
        final long completed = buffer.getLongAcquire(COMPLETED_INDEX_OFFSET);
        if (completed < head || completed > submittedTail)
        {
            halt(HALT_COMPLETED_INDEX, completed, completed, head, submittedTail);
        }
        else if (completed > head)
        {
            final long last = completed - 1;
            final long word = readCompletion(last);
            final int lag = lag(word, last);
            if (lag != 0 || !isEngineStatus((int)word))
            {
                halt(lag < 0 ? HALT_NOT_EXECUTED : HALT_STATUS_WORD, last, lag == 0 ? (int)word : word, head,
                    submittedTail);
            }
            else
            {
                HEAD.setRelease(this, completed);
                raise(COMPLETED_SEEN, completed);
            }
        }
    }

    /** The opcode and length words as one 64-bit value, for one store. */
    private static long opcodeAndLength(final int opcode, final int length)
    {
        return LITTLE_ENDIAN ?
            (opcode & 0xFFFF_FFFFL) | ((long)length << 32) :
            ((long)opcode << 32) | (length & 0xFFFF_FFFFL);
    }

    /**
     * Ends an enqueue: the flags, then the ring index. The descriptor's line is written by this side only (the
     * engine writes completions elsewhere), so no store here waits for a line the engine has modified.
     */
    private int publish(final int offset, final long flags)
    {
        // flags were checked against OpFlags.VALID_MASK: they fit the descriptor's int
        UnsafeApi.putInt(
            base, address + offset + FLAGS_OFFSET, batchStart ? (int)flags | FLAG_BATCH_START : (int)flags);
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
     * @return 0, or {@code -EIO} when the ring is halted (the jobs stay unsubmitted and a restart drops them).
     */
    public int submit()
    {
        if (haltReason != HALT_NONE)
        {
            return -Errno.EIO;
        }
        final long from = submittedTail;
        final long to = tail;
        if (from != to)
        {
            SUBMITTED_TAIL.setRelease(this, to);
            for (long index = from; index < to; index++)
            {
                UnsafeApi.putIntRelease(
                    base, address + descriptorOffset((int)index & mask) + STAMP_OFFSET, (int)(index + 1));
            }
            buffer.putLongRelease(SUBMITTED_INDEX_OFFSET, to);
            batchStart = true;
        }
        return 0;
    }

    /**
     * Gathers the run of successful completions, stopping at the first failed job ({@code rte_dma_completed}).
     * On a halted ring nothing more succeeds: 0, with {@code hasError} while jobs are left to gather.
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
            final int limit = (int)Math.min(submittedTail - head, nbCpls);
            if (haltReason != HALT_NONE)
            {
                hasError = limit > 0;
            }
            else
            {
                long index = head;
                while (count < limit)
                {
                    final long word = readCompletion(index);
                    if (word != RingDescriptor.completionWord(index, 0))
                    {
                        hasError = jobStatus(index, word) != NOT_DONE;
                        break;
                    }
                    count++;
                    index++;
                }
                gathered(count);
            }
        }
        if (result != null)
        {
            result.lastIdx = lastIdx;
            result.hasError = hasError;
        }
        return count;
    }

    /**
     * Gathers completions with their status, failed or not ({@code rte_dma_completed_status}). On a halted ring
     * every job submitted and not yet gathered is reported, each {@link DmaStatus#ERROR_UNKNOWN}.
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
            final int limit = (int)Math.min(submittedTail - head, Math.min(nbCpls, status.length));
            boolean halted = haltReason != HALT_NONE;
            while (count < limit)
            {
                final long code = gatherCode(head + count, halted);
                if (code == NOT_DONE)
                {
                    break;
                }
                halted = code == FORGED;
                status[count++] = halted ? DmaStatus.ERROR_UNKNOWN : DmaStatus.of((int)code);
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
            final long newHead = head + count;
            HEAD.setRelease(this, newHead);
            lastIdx = (int)(newHead - 1 - startIndex) & RING_IDX_MASK;
        }
    }

    /**
     * Enqueues operation objects and rings the doorbell ({@code rte_dma_enqueue_ops}).
     *
     * @param ops   the operations.
     * @param nbOps how many from the start of {@code ops}.
     * @return how many were enqueued; fewer when the ring fills, is halted or an op is malformed.
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
     * Dequeues completed operation objects in order, each with its status ({@code rte_dma_dequeue_ops}). On a
     * halted ring every operation submitted and not yet dequeued comes back, with {@link DmaStatus#ERROR_UNKNOWN}.
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
        final int limit = (int)Math.min(submittedTail - head, Math.min(nbOps, ops.length));
        boolean halted = haltReason != HALT_NONE;
        int count = 0;
        while (count < limit)
        {
            final long index = head + count;
            final int slot = (int)index & mask;
            final DmaOp op = inFlightOps[slot];
            if (op == null)
            {
                break; // every submitted slot holds its op; a guard, not a case
            }
            final long code = gatherCode(index, halted);
            if (code == NOT_DONE)
            {
                break;
            }
            halted = code == FORGED;
            inFlightOps[slot] = null;
            op.status = halted ? DmaStatus.ERROR_UNKNOWN : DmaStatus.of((int)code);
            ops[count++] = op;
        }
        gathered(count);
        return count;
    }

    /**
     * Room for more jobs in the current burst ({@code rte_dma_burst_capacity}).
     *
     * @return free descriptors; 0 when the ring is halted.
     */
    public int burstCapacity()
    {
        if (silent && haltReason == HALT_NONE && tail != head)
        {
            takeBackSilentCompletions();
        }
        if (haltReason != HALT_NONE)
        {
            return 0;
        }
        return (int)(nbDesc - (tail - head));
    }

    /**
     * Whether the engine has submitted jobs left ({@code rte_dma_vchan_status}). Any thread.
     *
     * @param engineAlive whether the engine that serves this ring is running.
     * @return the status; {@link VchanStatus#HALTED_ERROR} when the ring is halted or its engine is not running.
     */
    public VchanStatus status(final boolean engineAlive)
    {
        final long submitted = (long)SUBMITTED_TAIL.getAcquire(this);
        final long completed = checkedCompletedIndex();
        if (haltReason != HALT_NONE)
        {
            return VchanStatus.HALTED_ERROR;
        }
        if (completed == submitted)
        {
            return VchanStatus.IDLE;
        }
        return engineAlive ? VchanStatus.ACTIVE : VchanStatus.HALTED_ERROR;
    }

    /**
     * Whether every submitted job has been executed. Any thread.
     *
     * @return true when the engine has caught up with the doorbell; false when it has not or the ring is halted.
     */
    public boolean drained()
    {
        final long submitted = (long)SUBMITTED_TAIL.getAcquire(this);
        final long completed = checkedCompletedIndex();
        return haltReason == HALT_NONE && completed == submitted;
    }

    /**
     * Halts the ring because the engine that serves it is gone (a driver process that stopped heartbeating): the
     * vchan reports {@link VchanStatus#HALTED_ERROR}, enqueue and submit return {@code -EIO}, and every job not yet
     * gathered is reported failed, as for a forged ring. Any thread; never allocates. A restart clears it.
     *
     * @return true when this call halted the ring, false when it was halted already.
     */
    public boolean haltEngineGone()
    {
        final boolean halted = haltReason == HALT_NONE;
        halt(HALT_ENGINE_GONE, -1, 0, 0, 0);
        return halted && haltReason == HALT_ENGINE_GONE;
    }

    /**
     * Whether this ring is halted because something in it was impossible.
     *
     * @return true when halted.
     */
    public boolean isHalted()
    {
        return haltReason != HALT_NONE;
    }

    /**
     * Why this ring is halted.
     *
     * @return one of {@code HALT_*}.
     */
    public int haltReason()
    {
        return haltReason;
    }

    /**
     * Describes why this ring halted, once per halt: the first call after a halt returns the description, every
     * other call null. For the driver's error handler; allocates, so call it off the data path. Any thread.
     *
     * @return the description, or null.
     */
    public String takeHaltReport()
    {
        if (!(boolean)HALT_RECORDED.getAcquire(this) || !HALT_REPORTED.compareAndSet(this, false, true))
        {
            return null;
        }
        final String what;
        switch (haltReason)
        {
            case HALT_COMPLETED_INDEX:
                what = "completed index " + haltValue + " is impossible: not in [" + haltLowerBound + ", " +
                    haltUpperBound + "] (already completed, submitted)";
                break;
            case HALT_ERROR_COUNT:
                what = "error count " + haltValue + " is impossible: not in [" + haltLowerBound + ", " +
                    haltUpperBound + "] (already counted, completed index)";
                break;
            case HALT_STATUS_WORD:
                what = "job " + haltIndex + " has status word " + haltValue + ", which no engine writes";
                break;
            case HALT_NOT_EXECUTED:
                what = "the completed index covers job " + haltIndex + ", whose status word says it never ran";
                break;
            case HALT_ENGINE_GONE:
                return "the engine serving this vchan is gone (driver process dead or restarted), vchan halted " +
                    "(jobs not gathered fail with ERROR_UNKNOWN); stop and start the device";
            default:
                what = "halted for reason " + haltReason;
                break;
        }
        return "descriptor ring found forged or corrupt, vchan halted (jobs not gathered fail with ERROR_UNKNOWN): " +
            what;
    }

    /**
     * Restarts the ring after a stop, with the engine not running: jobs enqueued but never submitted are dropped,
     * completions not gathered are discarded, ring indices start again at 0, a halt is cleared and the header's
     * completed index and error count are set back to values the engine can continue from.
     */
    public void restart()
    {
        final long base = submittedTail;
        tail = base;
        HEAD.setRelease(this, base);
        startIndex = base;
        lastIdx = RING_IDX_MASK;
        batchStart = true;
        if (inFlightOps != null)
        {
            java.util.Arrays.fill(inFlightOps, null);
        }
        raise(COMPLETED_SEEN, base);
        if (buffer.getLongVolatile(COMPLETED_INDEX_OFFSET) != base)
        {
            buffer.putLongRelease(COMPLETED_INDEX_OFFSET, base);
        }
        final long errors = buffer.getLongVolatile(ERROR_COUNT_OFFSET);
        final long errorsFloor = (long)ERRORS_SEEN.getAcquire(this);
        if (errors < errorsFloor || errors > base)
        {
            buffer.putLongRelease(ERROR_COUNT_OFFSET, Math.min(errorsFloor, base));
        }
        buffer.putLongRelease(SUBMITTED_INDEX_OFFSET, base);
        HALT_RECORDED.setRelease(this, false);
        HALT_REPORTED.setRelease(this, false);
        haltReason = HALT_NONE;
    }

    /**
     * Adds this ring's counts since the last reset to {@code stats}. Any thread; each count is read once and
     * clamped to what is possible ({@code 0 <= errors <= completed <= submitted}, none going backwards), and an
     * impossible one halts the ring.
     *
     * @param stats accumulates the counts.
     */
    public void addStats(final DmaStats stats)
    {
        final long errorsFloor = (long)ERRORS_SEEN.getAcquire(this);
        final long errorCount = buffer.getLongAcquire(ERROR_COUNT_OFFSET);
        final long completed = checkedCompletedIndex();
        final long errors = checkedErrorCount(errorCount, errorsFloor, completed);
        final long submitted = (long)SUBMITTED_TAIL.getAcquire(this);
        stats.submitted += Math.max(0, submitted - submittedBaseline);
        stats.completed += Math.max(0, completed - completedBaseline);
        stats.errors += Math.max(0, errors - errorsBaseline);
    }

    /** Resets the counts, by taking the current totals as the new baseline. Any thread. */
    public void resetStats()
    {
        final long errorsFloor = (long)ERRORS_SEEN.getAcquire(this);
        final long errorCount = buffer.getLongAcquire(ERROR_COUNT_OFFSET);
        final long completed = checkedCompletedIndex();
        errorsBaseline = checkedErrorCount(errorCount, errorsFloor, completed);
        completedBaseline = completed;
        submittedBaseline = (long)SUBMITTED_TAIL.getAcquire(this);
    }

    /**
     * The engine's completed index, read once: valid when between the highest one found valid before and the
     * jobs submitted (read after it, so a valid index is never beyond), and when the job just before it, if not
     * gathered yet, carries a status the engine wrote (the engine writes a status before it publishes the index).
     * Otherwise the ring is halted and the index clamped into that range. Any thread.
     */
    private long checkedCompletedIndex()
    {
        final long floor = (long)COMPLETED_SEEN.getAcquire(this);
        final long completed = buffer.getLongAcquire(COMPLETED_INDEX_OFFSET);
        final long submitted = (long)SUBMITTED_TAIL.getAcquire(this);
        if (completed < floor || completed > submitted)
        {
            halt(HALT_COMPLETED_INDEX, completed, completed, floor, submitted);
            return Math.max(floor, Math.min(completed, submitted));
        }
        if (completed > floor)
        {
            final long last = completed - 1;
            if (last >= (long)HEAD.getAcquire(this))
            {
                final long word = readCompletion(last);
                final int lag = lag(word, last);
                // the word can belong to a newer job only once this job was gathered: read head again to know
                if ((lag != 0 || !isEngineStatus((int)word)) && last >= (long)HEAD.getAcquire(this))
                {
                    halt(lag < 0 ? HALT_NOT_EXECUTED : HALT_STATUS_WORD, last, lag == 0 ? (int)word : word, floor,
                        submitted);
                    return floor;
                }
            }
            raise(COMPLETED_SEEN, completed);
        }
        return completed;
    }

    /**
     * Checks an error count read once before the completed index (the engine counts a failure before it publishes
     * its completion, so a valid count is never beyond the index read after it, nor below the highest one found
     * valid before); otherwise the ring is halted and the count clamped.
     */
    private long checkedErrorCount(final long errors, final long floor, final long completed)
    {
        if (errors < floor || errors > completed)
        {
            halt(HALT_ERROR_COUNT, errors, errors, floor, completed);
            return Math.max(0, Math.min(Math.max(errors, floor), completed));
        }
        raise(ERRORS_SEEN, errors);
        return errors;
    }

    /** Raises a monotonic field to at least {@code value}; any thread. */
    private void raise(final VarHandle field, final long value)
    {
        long current = (long)field.getAcquire(this);
        while (value > current && !field.compareAndSet(this, current, value))
        {
            current = (long)field.getAcquire(this);
        }
    }

    /**
     * Halts the ring; the first caller records why, with release semantics, for {@link #takeHaltReport()}.
     * Never allocates.
     *
     * @return true.
     */
    private boolean halt(final int reason, final long index, final long value, final long lower, final long upper)
    {
        if (HALT_REASON.compareAndSet(this, HALT_NONE, reason))
        {
            haltIndex = index;
            haltValue = value;
            haltLowerBound = lower;
            haltUpperBound = upper;
            HALT_RECORDED.setRelease(this, true);
        }
        return true;
    }

    /** A job's completion word, read once with acquire semantics. */
    private long readCompletion(final long index)
    {
        return UnsafeApi.getLongAcquire(base, address + completionBase + (((int)index & mask) << 3));
    }

    /**
     * How far a completion word's tag is from a job's: 0 when the word is the job's, negative when it is an
     * earlier job's of the same slot (the job has not completed), positive when it is a later job's, which no
     * engine can have written while the job is not gathered (the slot is not reused before).
     */
    private static int lag(final long word, final long index)
    {
        return (int)(word >>> 32) - (int)(index + 1);
    }

    /**
     * What gathering reports for the job at {@code index}: {@link #NOT_DONE} (stop gathering), {@link #FORGED}
     * (the job and every later one gathered in the same call report {@link DmaStatus#ERROR_UNKNOWN}), or the
     * engine's status code. A ring that was halted (or became so earlier in the call) reads no completion word.
     */
    private long gatherCode(final long index, final boolean halted)
    {
        return halted ? FORGED : jobStatus(index, readCompletion(index));
    }

    /**
     * A job's status from its completion word: the engine's status code; {@link #NOT_DONE} while the word is an
     * earlier job's; {@link #FORGED}, after halting the ring, for a word no engine writes (a later job's tag, or
     * the job's tag with a code that is not DPDK's).
     */
    private long jobStatus(final long index, final long word)
    {
        final int lag = lag(word, index);
        if (lag < 0)
        {
            return NOT_DONE;
        }
        final int code = (int)word;
        if (lag == 0 && isEngineStatus(code))
        {
            return code;
        }
        halt(HALT_STATUS_WORD, index, lag == 0 ? code : word, head, submittedTail);
        return FORGED;
    }

    /** Whether an engine can have written this status code: one of DPDK's. */
    private static boolean isEngineStatus(final int code)
    {
        return DmaStatus.of(code).code() == code;
    }
}
