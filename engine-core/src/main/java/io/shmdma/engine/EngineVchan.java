package io.shmdma.engine;

import io.shmdma.DmaStatus;
import io.shmdma.OpFlags;
import io.shmdma.memory.DomainEndpoint;
import io.shmdma.memory.DomainMemory;
import org.agrona.BitUtil;
import org.agrona.ErrorHandler;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;

import static io.shmdma.ring.RingDescriptor.*;

/**
 * The engine side of one vchan: reads submitted descriptors from the ring, bounds checks and executes
 * them between the two endpoints' domains, writes each job's completion word and publishes the completed index.
 * Used by the engine thread only.
 * <p>
 * The ring is shared memory that any process with write access to its file may change at any instant. So each
 * field of a descriptor, and each SGE entry, is read from the ring exactly once into this object's own
 * preallocated state; that copy is validated (counts against {@code maxSges}, every range through
 * {@link DomainMemory#offsetOf}, totals) and the job executes from the validated copy only, so a byte moves
 * only inside a range that was checked. The ring's geometry is read once, by {@link CopyEngine#addVchan}.
 * <p>
 * The endpoints are asked for their domain memory once per pass (a run of up to {@link CopyEngine#VCHAN_BURST}
 * jobs), after the pass has acquired the submit stamps of its jobs, when its first job needs it: a domain revoked
 * before a job was submitted does not resolve for it, and one revoked while a pass runs stops resolving at the
 * next pass. An endpoint that throws fails the job that asked and is asked again by the next one.
 * <p>
 * Whatever a job throws ends that job with an error status ({@link #statusOf}) and the engine moves on: the
 * engine's own index advances before anything else can throw, so a job is never executed twice, the completed
 * index moves past each job exactly once and nothing leaves {@link #process}.
 */
final class EngineVchan
{
    /** Bytes moved after which completions are published before the end of a pass. */
    static final long PUBLISH_BYTES = 16 * 1024;
    /** Completion words in one cache line; the completion area starts on a line. */
    private static final int COMPLETIONS_PER_LINE = BitUtil.CACHE_LINE_LENGTH / COMPLETION_LENGTH;

    private final AtomicBuffer ring;
    /**
     * Whether the per-job accesses (submit stamps, descriptors, completion words) go straight to the ring's memory,
     * around the buffer's bounds checks: every such offset comes from this object's own checked capacity and slot,
     * inside the length {@link CopyEngine#addVchan} checked. True for a plain {@link UnsafeBuffer}, the only kind
     * shmdma makes; another implementation (an instrumented buffer in a test) is accessed through its own methods.
     */
    private final boolean raw;
    private final byte[] base;
    private final long address;
    private final DomainEndpoint source;
    private final DomainEndpoint destination;
    private final ErrorHandler faultHandler;
    private final int capacity;
    private final int mask;
    private final int maxSges;
    /** Offset of slot 0's completion word. */
    private final int completionBase;

    /** The endpoints' memory as resolved for the current pass; valid while the flags are set. */
    private DomainMemory srcMemory;
    private DomainMemory dstMemory;
    private boolean srcResolved;
    private boolean dstResolved;

    /** The engine's copy of the descriptor being executed; nothing below is re-read from the ring. */
    private int opcode;
    private int flags;
    /** Source IOVA, or fill pattern. */
    private long srcWord;
    private long dstWord;
    /** Length, or number of source SGEs. */
    private int lengthWord;
    private int nbDstWord;
    /** SGE addresses as read from the ring; replaced by their checked offsets once validated. */
    private final long[] srcOffsets;
    private final long[] srcLengths;
    private final long[] dstOffsets;
    private final long[] dstLengths;

    /** Jobs executed: the next job's index. Owned by the engine, never read back from the ring. */
    private long processed;
    /** Jobs whose status is known ({@link #pendingStatus}); behind {@link #processed} only while one is recorded. */
    private long recorded;
    /**
     * Jobs whose completion word is written. The words of a completion line's jobs are written together, when its
     * last slot's job is recorded, after {@link #PUBLISH_BYTES} and at the end of a pass: a caller polling the line
     * meanwhile does not pull it away from the engine once per job.
     */
    private long written;
    /** Statuses of the recorded jobs whose words are not written yet, by slot within their completion line. */
    private final int[] pendingStatus = new int[COMPLETIONS_PER_LINE];
    private long published;
    private long errors;
    private long publishedErrors;
    private volatile long faults;
    private long ringFaults;
    private long unpublishedBytes;
    private boolean failedInBatch;
    private boolean skipping;

    /**
     * @param ring         the ring, its geometry already checked against the buffer.
     * @param capacity     the ring's capacity as read and checked once.
     * @param maxSges      SGE entries per side as read and checked once.
     * @param source       where source addresses resolve.
     * @param destination  where destination addresses resolve.
     * @param faultHandler told about anything thrown while the engine served this vchan.
     */
    EngineVchan(
        final AtomicBuffer ring,
        final int capacity,
        final int maxSges,
        final DomainEndpoint source,
        final DomainEndpoint destination,
        final ErrorHandler faultHandler)
    {
        this.ring = ring;
        this.raw = ring.getClass() == UnsafeBuffer.class;
        this.base = ring.byteArray();
        this.address = ring.addressOffset();
        this.source = source;
        this.destination = destination;
        this.faultHandler = faultHandler;
        this.capacity = capacity;
        this.mask = capacity - 1;
        this.maxSges = maxSges;
        this.completionBase = completionOffset(capacity, 0);
        this.srcOffsets = new long[maxSges];
        this.srcLengths = new long[maxSges];
        this.dstOffsets = new long[maxSges];
        this.dstLengths = new long[maxSges];
        this.processed = ring.getLongVolatile(COMPLETED_INDEX_OFFSET);
        this.published = processed;
        this.recorded = processed;
        this.written = processed;
        this.errors = ring.getLongVolatile(ERROR_COUNT_OFFSET);
        this.publishedErrors = errors;
    }

    /**
     * Executes up to {@code limit} submitted jobs. Never throws.
     *
     * @param limit most jobs to execute.
     * @return jobs executed.
     */
    int process(final int limit)
    {
        final long first = processed;
        try
        {
            final int ready = submitted(limit);
            if (ready > 0)
            {
                srcResolved = false;
                dstResolved = false;
                final int mask = this.mask;
                final int completionBase = this.completionBase;
                for (int i = 0; i < ready; i++)
                {
                    final long index = processed;
                    final int slot = (int)index & mask;
                    final int status = run(descriptorOffset(slot), slot);
                    processed = index + 1; // before any call that could throw: a job is never run twice
                    if (status != 0)
                    {
                        failedInBatch = true;
                        errors++;
                    }
                    pendingStatus[slot & (COMPLETIONS_PER_LINE - 1)] = status;
                    recorded = index + 1;
                    final boolean publish = unpublishedBytes >= PUBLISH_BYTES;
                    if (publish || (slot & (COMPLETIONS_PER_LINE - 1)) == COMPLETIONS_PER_LINE - 1)
                    {
                        writeCompletions();
                    }
                    if (publish)
                    {
                        publishCompletions();
                    }
                }
                writeCompletions();
            }
        }
        catch (final Throwable ex)
        {
            onRingFault(ex);
            completeUnwritten(ex);
        }
        publishCompletions();
        return (int)(processed - first);
    }

    /**
     * Writes the completion words of the recorded jobs: each job's final status, success included, tagged with its
     * index, released after the job's stores; a completion line holds 8 slots and only the engine writes it.
     */
    private void writeCompletions()
    {
        final int mask = this.mask;
        final int completionBase = this.completionBase;
        final long end = recorded;
        for (long index = written; index < end; index++)
        {
            final int slot = (int)index & mask;
            putCompletion(completionBase + (slot << 3),
                completionWord(index, pendingStatus[slot & (COMPLETIONS_PER_LINE - 1)]));
            written = index + 1;
        }
    }

    /**
     * Jobs counted as executed whose completion words were not written when something was thrown complete failed,
     * so that no completed index is ever published over a job without its completion word. An error the JVM
     * delivered late (Java 17's SIGBUS of a copy, thrown at a later safepoint poll) may belong to any job since
     * the last words were written, so each of them that had not failed already gets the error's status; one that
     * had keeps its own.
     */
    private void completeUnwritten(final Throwable ex)
    {
        final int failed = statusOf(ex, false);
        while (written < processed)
        {
            final long index = written;
            final int slot = (int)index & mask;
            int status = index < recorded ? pendingStatus[slot & (COMPLETIONS_PER_LINE - 1)] : 0;
            if (status == 0)
            {
                status = failed;
                failedInBatch = true;
                errors++;
            }
            recorded = Math.max(recorded, index + 1);
            written = index + 1;
            try
            {
                putCompletion(completionBase + (slot << 3), completionWord(index, status));
            }
            catch (final Throwable writeFault)
            {
                onRingFault(writeFault);
            }
        }
    }

    /** The source endpoint's memory for this pass, asked once (again after a failed ask). */
    private DomainMemory sourceMemory()
    {
        if (!srcResolved)
        {
            srcMemory = source.memory();
            srcResolved = true;
        }
        return srcMemory;
    }

    /** The destination endpoint's memory for this pass, asked once (again after a failed ask). */
    private DomainMemory destinationMemory()
    {
        if (!dstResolved)
        {
            dstMemory = destination.memory();
            dstResolved = true;
        }
        return dstMemory;
    }

    /**
     * Scans the submit stamps from the next job on: the loads are independent, so the descriptors' cache lines
     * arrive together instead of one miss per job. A stamp still holds the previous lap's index (or 0) until its
     * job is submitted; the scan stops at the first such one, which the engine would poll next anyway.
     *
     * @param limit most jobs to count.
     * @return the number of consecutive submitted jobs, each acquired.
     */
    private int submitted(final int limit)
    {
        final int mask = this.mask;
        final long first = processed;
        final long end = first + limit;
        long index = first;
        while (index < end && stamp(descriptorOffset((int)index & mask)) == (int)(index + 1))
        {
            index++;
        }
        return (int)(index - first);
    }

    /**
     * Anything thrown while this vchan was served: by a job (which then failed with an error status) or by an
     * access to the ring itself.
     *
     * @return the count.
     */
    long faults()
    {
        return faults;
    }

    /**
     * Release stores of the error count and the completed index: every status and store of a job before them. Once
     * per pass over the vchan (one cache-line transfer to the application per run of jobs, not per job), and sooner
     * after {@link #PUBLISH_BYTES}, so that the completion of a large job is not held back by the rest of its run.
     */
    private void publishCompletions()
    {
        if (published != processed)
        {
            unpublishedBytes = 0;
            try
            {
                if (publishedErrors != errors)
                {
                    ring.putLongRelease(ERROR_COUNT_OFFSET, errors);
                    publishedErrors = errors;
                }
                ring.putLongRelease(COMPLETED_INDEX_OFFSET, processed);
                published = processed;
            }
            catch (final Throwable ex)
            {
                onRingFault(ex);
            }
        }
    }

    /**
     * Reads, checks and executes one job. Reading a ring that was truncated under us raises SIGBUS, which HotSpot
     * turns into an {@link InternalError}: the job fails with DESCRIPTOR_READ_ERROR. The same for a domain's
     * mapping gives BUS_ERROR; Java 17 may deliver that error a little later than the copy (see
     * docs/reliability.md), then {@link #process} catches it.
     */
    private int run(final int offset, final int slot)
    {
        boolean reading = true;
        try
        {
            readDescriptor(offset);
            if ((flags & FLAG_BATCH_START) != 0)
            {
                failedInBatch = false;
                skipping = false;
            }
            if (failedInBatch && (flags & OpFlags.FENCE) != 0)
            {
                skipping = true;
            }
            if (skipping)
            {
                return DmaStatus.NOT_ATTEMPTED.code();
            }
            if (opcode == OP_COPY_SG && !readEntries(slot))
            {
                return DmaStatus.INVALID_OPCODE.code();
            }
            reading = false;
            if ((flags & OpFlags.FENCE) != 0)
            {
                // every load and store of the earlier jobs before any store of this one, on every platform
                // (a compiler barrier on x86, dmb ish on AArch64); see "Memory ordering" in docs/architecture.md
                VarHandle.releaseFence();
            }
            return execute();
        }
        catch (final Throwable ex)
        {
            onJobFault(ex);
            return statusOf(ex, reading);
        }
    }

    /**
     * The status of a job that threw. Every {@link Throwable}, {@link VirtualMachineError}s included, ends the job:
     * the engine allocates nothing and holds no lock, so it stays runnable, and rethrowing would stop every vchan
     * of the device. An {@link InternalError} is HotSpot's SIGBUS on a mapping truncated under us.
     *
     * @param ex      what the job threw.
     * @param reading whether it was thrown while reading the descriptor from the ring.
     * @return DESCRIPTOR_READ_ERROR, BUS_ERROR or ERROR_UNKNOWN.
     */
    static int statusOf(final Throwable ex, final boolean reading)
    {
        if (reading)
        {
            return DmaStatus.DESCRIPTOR_READ_ERROR.code();
        }
        return ex instanceof InternalError ? DmaStatus.BUS_ERROR.code() : DmaStatus.ERROR_UNKNOWN.code();
    }

    /** A descriptor's submit stamp, acquired. */
    private int stamp(final int descriptorOffset)
    {
        return raw ? UnsafeApi.getIntAcquire(base, address + descriptorOffset + STAMP_OFFSET) :
            ring.getIntAcquire(descriptorOffset + STAMP_OFFSET);
    }

    /** Writes a job's completion word, released after the job's stores. */
    private void putCompletion(final int offset, final long word)
    {
        if (raw)
        {
            UnsafeApi.putLongRelease(base, address + offset, word);
        }
        else
        {
            ring.putLongRelease(offset, word);
        }
    }

    private void readDescriptor(final int offset)
    {
        if (raw)
        {
            final long descriptor = address + offset;
            opcode = UnsafeApi.getInt(base, descriptor + OPCODE_OFFSET);
            lengthWord = UnsafeApi.getInt(base, descriptor + LENGTH_OFFSET);
            flags = UnsafeApi.getInt(base, descriptor + FLAGS_OFFSET);
            srcWord = UnsafeApi.getLong(base, descriptor + SRC_OFFSET);
            dstWord = UnsafeApi.getLong(base, descriptor + DST_OFFSET);
        }
        else
        {
            opcode = ring.getInt(offset + OPCODE_OFFSET);
            lengthWord = ring.getInt(offset + LENGTH_OFFSET);
            flags = ring.getInt(offset + FLAGS_OFFSET);
            srcWord = ring.getLong(offset + SRC_OFFSET);
            dstWord = ring.getLong(offset + DST_OFFSET);
        }
    }

    /**
     * Copies the slot's SGE entries once; false when a count is out of 1..maxSges. The number of destination
     * entries is the descriptor's destination word, read once by {@link #readDescriptor}.
     */
    private boolean readEntries(final int slot)
    {
        final int nbSrc = lengthWord;
        if (nbSrc <= 0 || nbSrc > maxSges || dstWord <= 0 || dstWord > maxSges)
        {
            return false;
        }
        final int nbDst = (int)dstWord;
        nbDstWord = nbDst;
        readSide(slot, false, nbSrc, srcOffsets, srcLengths);
        readSide(slot, true, nbDst, dstOffsets, dstLengths);
        return true;
    }

    private void readSide(
        final int slot, final boolean destination, final int count, final long[] addresses, final long[] lengths)
    {
        for (int i = 0; i < count; i++)
        {
            final int sge = sgeOffset(capacity, maxSges, slot, destination, i);
            addresses[i] = ring.getLong(sge);
            lengths[i] = Integer.toUnsignedLong(ring.getInt(sge + 8));
        }
    }

    private int execute()
    {
        switch (opcode)
        {
            case OP_COPY:
                return copy(srcWord, dstWord, Integer.toUnsignedLong(lengthWord));
            case OP_FILL:
                return fill(srcWord, dstWord, Integer.toUnsignedLong(lengthWord));
            case OP_COPY_SG:
                return copySg(lengthWord, nbDstWord);
            default:
                return DmaStatus.INVALID_OPCODE.code();
        }
    }

    /**
     * Asks for both endpoints' memories for this pass, the source first (the destination is not asked when the source
     * is missing).
     *
     * @return 0 when both are there, else the job's status: INVALID_SRC_ADDR or INVALID_DST_ADDR.
     */
    private int endpointsStatus()
    {
        if (sourceMemory() == null)
        {
            return DmaStatus.INVALID_SRC_ADDR.code();
        }
        if (destinationMemory() == null)
        {
            return DmaStatus.INVALID_DST_ADDR.code();
        }
        return 0;
    }

    private int copy(final long src, final long dst, final long length)
    {
        final int endpoints = endpointsStatus();
        if (endpoints != 0)
        {
            return endpoints;
        }
        final DomainMemory srcMemory = this.srcMemory;
        final DomainMemory dstMemory = this.dstMemory;
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
        unpublishedBytes += length;
        return 0;
    }

    private int fill(final long pattern, final long dst, final long length)
    {
        final DomainMemory dstMemory = destinationMemory();
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
        unpublishedBytes += length;
        return 0;
    }

    /** Executes from the entries {@link #readEntries} copied; the counts were checked there. */
    private int copySg(final int nbSrc, final int nbDst)
    {
        final int endpoints = endpointsStatus();
        if (endpoints != 0)
        {
            return endpoints;
        }
        final DomainMemory srcMemory = this.srcMemory;
        final DomainMemory dstMemory = this.dstMemory;
        final long srcTotal = resolve(srcMemory, nbSrc, srcOffsets, srcLengths);
        if (srcTotal < 0)
        {
            return DmaStatus.INVALID_SRC_ADDR.code();
        }
        final long dstTotal = resolve(dstMemory, nbDst, dstOffsets, dstLengths);
        if (dstTotal < 0)
        {
            return DmaStatus.INVALID_DST_ADDR.code();
        }
        if (srcTotal != dstTotal)
        {
            return DmaStatus.INVALID_LENGTH.code();
        }

        // every entry is at least one byte and both sides sum to the same total, so while bytes remain both
        // entry indices stay below their counts, and each piece lies inside one checked entry on each side
        int srcEntry = 0;
        int dstEntry = 0;
        long srcUsed = 0;
        long dstUsed = 0;
        long remaining = srcTotal;
        while (remaining > 0)
        {
            final long srcLength = srcLengths[srcEntry];
            final long dstLength = dstLengths[dstEntry];
            final long n = Math.min(srcLength - srcUsed, dstLength - dstUsed);
            DomainMemory.copy(srcMemory, srcOffsets[srcEntry] + srcUsed, dstMemory, dstOffsets[dstEntry] + dstUsed, n);
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
        unpublishedBytes += srcTotal;
        return 0;
    }

    /**
     * Checks the copied entries of one side and replaces each address by its offset in the domain.
     *
     * @return the sum of the entries' lengths, or -1 when one is empty or outside the domain.
     */
    private static long resolve(
        final DomainMemory memory, final int count, final long[] addresses, final long[] lengths)
    {
        long total = 0;
        for (int i = 0; i < count; i++)
        {
            final long offset = memory.offsetOf(addresses[i], lengths[i]);
            if (offset == DomainMemory.INVALID)
            {
                return -1;
            }
            addresses[i] = offset;
            total += lengths[i];
        }
        return total;
    }

    private void onJobFault(final Throwable ex)
    {
        faults++;
        report(ex);
    }

    /**
     * A fault outside a job: the ring itself cannot be accessed (truncated), or an error delivered late. The vchan
     * may then fault on every pass without progress, so only the 1st, 2nd, 4th, 8th... are reported.
     */
    private void onRingFault(final Throwable ex)
    {
        faults++;
        ringFaults++;
        if ((ringFaults & (ringFaults - 1)) == 0)
        {
            report(ex);
        }
    }

    private void report(final Throwable ex)
    {
        try
        {
            faultHandler.onError(ex);
        }
        catch (final Throwable ignore)
        {
            // the handler's own failure must not stop the engine either
        }
    }
}
