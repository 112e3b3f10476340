package io.shmdma.bench;

import io.shmdma.Completion;
import io.shmdma.DmaDevice;
import io.shmdma.DmaOp;
import io.shmdma.DmaSge;
import io.shmdma.Errno;
import org.agrona.BitUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The worker thread of one scenario, as dma-perf's worker lcore: it loops over every job of the workload until
 * told to stop (checked after each full pass, as dma-perf does), publishing its count of completed jobs. The
 * loops do not allocate.
 */
abstract class PerfWorker extends Thread
{
    /** Most completions gathered per poll, dma-perf's {@code MAX_DMA_CPL_NB}. */
    static final int MAX_COMPLETIONS = 255;
    /** How long the final drain may take. */
    static final long DRAIN_TIMEOUT_NS = 5_000_000_000L;

    final PerfWorkload workload;
    final AtomicLong completed = new AtomicLong();
    volatile boolean started;
    volatile boolean warmedUp = true;
    volatile boolean stop;
    volatile String error;

    PerfWorker(final String name, final PerfWorkload workload)
    {
        super(name);
        setDaemon(true);
        this.workload = workload;
    }

    @Override
    public final void run()
    {
        started = true;
        try
        {
            work();
        }
        catch (final RuntimeException ex)
        {
            error = ex.toString();
        }
    }

    abstract void work();

    /** Copies by the caller: dma-perf's {@code do_cpu_mem_copy}. */
    static final class Cpu extends PerfWorker
    {
        Cpu(final PerfWorkload workload)
        {
            super("dma-perf-cpu", workload);
        }

        @Override
        void work()
        {
            final PerfWorkload w = workload;
            final int jobs = w.jobs;
            final int bufSize = w.bufSize;
            long total = 0;
            while (!stop)
            {
                if (w.srcSge == null)
                {
                    for (int i = 0; i < jobs; i++)
                    {
                        UnsafeApi.copyMemory(w.srcAddress[i], w.dstAddress[i], bufSize);
                        completed.lazySet(++total);
                    }
                }
                else
                {
                    for (int j = 0; j < jobs; j++)
                    {
                        CpuBaselines.copySg(w.srcPieceAddress[j], w.srcPieceLength[j], w.nbSrc,
                            w.dstPieceAddress[j], w.dstPieceLength[j], w.nbDst);
                        completed.lazySet(++total);
                    }
                }
            }
        }
    }

    /**
     * Baseline for a plain-copy DMA scenario (not in dma-perf): the same jobs handed to a copy thread through an
     * Agrona {@link OneToOneRingBuffer}, the strongest software hand-off at hand. Each job is one 24-byte message
     * (source address, destination address, length: a 32-byte record with the ring's header, as shmdma's
     * descriptor); the consumer, a busy-spin thread like the busy-spin engine, copies each and publishes its count
     * of jobs done in its own padded line once per {@code read}; this thread enqueues, and every
     * {@code kick_batch} jobs (and while the ring is full) reads that count, as the DMA worker gathers
     * completions. Nothing is validated or translated: it shows what any two-thread offload of these jobs costs
     * on this machine, the cache lines that cross cores included.
     */
    static final class RingCopy extends PerfWorker
    {
        private static final int MESSAGE_TYPE = 1;
        private static final int MESSAGE_LENGTH = 24;
        private static final int DONE_OFFSET = Buffers.PADDING;

        private final int kickBatch;
        private final OneToOneRingBuffer ring;
        private final UnsafeBuffer doneLine = Buffers.alignedDirect(3 * Buffers.PADDING);
        private final AgentRunner consumer;

        /**
         * @param workload  the jobs.
         * @param ringSize  jobs the ring holds, as the DMA ring's descriptors (rounded up to a power of two).
         * @param kickBatch jobs between two reads of the count done.
         * @param idle      the copy thread's idle strategy: busy spin as the busy-spin engine, backoff in tests.
         */
        RingCopy(final PerfWorkload workload, final int ringSize, final int kickBatch, final IdleStrategy idle)
        {
            super("dma-perf-ring", workload);
            this.kickBatch = kickBatch;
            final int capacity = BitUtil.findNextPositivePowerOfTwo(Math.max(64, ringSize)) * 32;
            this.ring = new OneToOneRingBuffer(
                Buffers.alignedDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH));
            this.consumer = new AgentRunner(idle, Throwable::printStackTrace, null, new Copier(ring, doneLine));
        }

        @Override
        void work()
        {
            AgentRunner.startOnThread(consumer);
            try
            {
                final PerfWorkload w = workload;
                final int jobs = w.jobs;
                final long bufSize = w.bufSize;
                final OneToOneRingBuffer ring = this.ring;
                final AtomicBuffer buffer = ring.buffer();
                long sent = 0;
                int sinceKick = 0;
                while (!stop)
                {
                    for (int i = 0; i < jobs; i++)
                    {
                        int index;
                        while ((index = ring.tryClaim(MESSAGE_TYPE, MESSAGE_LENGTH)) <= 0)
                        {
                            poll();
                        }
                        buffer.putLong(index, w.srcAddress[i]);
                        buffer.putLong(index + 8, w.dstAddress[i]);
                        buffer.putLong(index + 16, bufSize);
                        ring.commit(index);
                        sent++;
                        if (++sinceKick == kickBatch)
                        {
                            sinceKick = 0;
                            poll();
                        }
                    }
                }
                final long deadline = System.nanoTime() + DRAIN_TIMEOUT_NS;
                while (poll() < sent && deadline - System.nanoTime() > 0)
                {
                    Thread.onSpinWait();
                }
                if (poll() < sent)
                {
                    error = "ring copy: " + (sent - poll()) + " jobs never copied";
                }
            }
            finally
            {
                consumer.close();
            }
        }

        private long poll()
        {
            final long done = doneLine.getLongAcquire(DONE_OFFSET);
            completed.lazySet(done);
            return done;
        }

        /** The copy thread: copies each job and publishes the count once per read. */
        private static final class Copier implements Agent, MessageHandler
        {
            private final OneToOneRingBuffer ring;
            private final UnsafeBuffer doneLine;
            private long done;

            Copier(final OneToOneRingBuffer ring, final UnsafeBuffer doneLine)
            {
                this.ring = ring;
                this.doneLine = doneLine;
            }

            @Override
            public int doWork()
            {
                final int read = ring.read(this, MAX_COMPLETIONS);
                if (read > 0)
                {
                    done += read;
                    doneLine.putLongRelease(DONE_OFFSET, done);
                }
                return read;
            }

            @Override
            public void onMessage(
                final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
            {
                UnsafeApi.copyMemory(buffer.getLong(index), buffer.getLong(index + 8), buffer.getLong(index + 16));
            }

            @Override
            public String roleName()
            {
                return "dma-perf-ring-copier";
            }
        }
    }

    /**
     * The caller-cost phase of a DMA scenario (not in dma-perf): the same jobs in bursts of {@code kick_batch},
     * each burst enqueued, submitted, and gathered once after a wait that touches no shared memory
     * ({@link CallerCost}). Publishes its count of jobs, bursts, gathers and the caller's nanoseconds outside
     * waiting.
     * <p>
     * JIT warm-up: the first caller phase of each kind (plain copy, scatter-gather, enqueue/dequeue ops) in the
     * JVM first runs its burst code ({@link #burst}) with jobs of about 64 B on the same buffers, at least
     * 20,000 bursts and 200,000 jobs ({@link CallerCost#warmUp}), and only then reports itself warmed up, which
     * {@code DmaPerf} waits for before its own warm-up time starts. Without it a config whose first scenario has
     * large jobs (a few hundred bursts in the warm-up time) would time the caller's path interpreted.
     */
    static final class DmaCaller extends PerfWorker
    {
        private static final int PLAIN = 0;
        private static final int SG = 1;
        private static final int OPS = 2;
        /** Kinds whose caller path a DmaCaller of this JVM warmed up; phases run one at a time (start/join). */
        private static final boolean[] WARMED = new boolean[3];

        final AtomicLong callerNs = new AtomicLong();
        final AtomicLong bursts = new AtomicLong();
        final AtomicLong gathers = new AtomicLong();
        volatile String warmUpReport;
        private final DmaDevice device;
        private final int kickBatch;
        private final CallerCost cost;
        private final DmaOp[] opsScratch;
        private final int kind;

        DmaCaller(final PerfWorkload workload, final BenchTarget target, final int kickBatch)
        {
            super("dma-perf-caller", workload);
            this.device = target.device();
            this.kickBatch = Math.max(1, Math.min(kickBatch, device.burstCapacity(BenchTarget.VCHAN)));
            this.cost = new CallerCost(target, workload.ops != null);
            this.opsScratch = workload.ops == null ? null : new DmaOp[this.kickBatch];
            this.kind = workload.ops != null ? OPS : workload.srcSge != null ? SG : PLAIN;
            warmedUp = WARMED[kind];
        }

        @Override
        void work()
        {
            if (!warmedUp)
            {
                warmUp();
                WARMED[kind] = error == null;
                warmedUp = true;
            }
            final PerfWorkload w = workload;
            final int jobs = w.jobs;
            long total = 0;
            double ns = 0;
            while (!stop && error == null)
            {
                for (int i = 0; i < jobs && error == null; i += kickBatch)
                {
                    final int count = Math.min(kickBatch, jobs - i);
                    ns += burst(w.srcIova, w.dstIova, w.srcSge, w.dstSge, w.ops, w.bufSize, i, count);
                    total += count;
                    callerNs.lazySet((long)ns);
                    bursts.lazySet(cost.bursts());
                    gathers.lazySet(cost.gathers());
                    completed.lazySet(total);
                }
            }
        }

        /**
         * One burst: the jobs {@code first} to {@code first + count - 1} enqueued, one doorbell, every completion
         * gathered. The measured loop and the warm-up both run it.
         *
         * @return the caller's nanoseconds outside waiting, or NaN with {@link #error} set.
         */
        private double burst(
            final long[] srcIova, final long[] dstIova, final DmaSge[][] srcSge, final DmaSge[][] dstSge,
            final DmaOp[] ops, final int bytes, final int first, final int count)
        {
            final DmaDevice dev = device;
            final long start = System.nanoTime();
            if (ops != null)
            {
                System.arraycopy(ops, first, opsScratch, 0, count);
                if (dev.enqueueOps(BenchTarget.VCHAN, opsScratch, count) != count)
                {
                    error = "enqueueOps took fewer than " + count + " ops";
                    return Double.NaN;
                }
            }
            else
            {
                final boolean sg = srcSge != null;
                final int nbSrc = workload.nbSrc;
                final int nbDst = workload.nbDst;
                for (int j = first; j < first + count; j++)
                {
                    final int result = sg ?
                        dev.copySg(BenchTarget.VCHAN, srcSge[j], dstSge[j], nbSrc, nbDst, 0) :
                        dev.copy(BenchTarget.VCHAN, srcIova[j], dstIova[j], bytes, 0);
                    if (result < 0)
                    {
                        error = "enqueue failed: errno " + -result;
                        return Double.NaN;
                    }
                }
                dev.submit(BenchTarget.VCHAN);
            }
            return cost.gather(start, count);
        }

        /**
         * Runs {@link #burst} with jobs of about {@link CallerCost#WARM_UP_JOB_BYTES} over the workload's first
         * buffers: plain copies shortened, scatter-gather jobs with as many pieces of a few bytes, ops copied
         * with those lengths. Allocates (the short jobs), outside any measurement.
         */
        private void warmUp()
        {
            final PerfWorkload w = workload;
            final int jobs = Math.min(w.jobs, Math.max(kickBatch, 64));
            final int nbSrc = w.nbSrc;
            final int nbDst = w.nbDst;
            final int unit = Math.max(1, CallerCost.WARM_UP_JOB_BYTES / (nbSrc * nbDst));
            final boolean shorten = (long)nbSrc * nbDst * unit < w.bufSize;
            final int bytes = shorten ? nbSrc * nbDst * unit : w.bufSize;
            final DmaSge[][] srcSge = w.srcSge == null ? null : new DmaSge[jobs][];
            final DmaSge[][] dstSge = w.dstSge == null ? null : new DmaSge[jobs][];
            final DmaOp[] ops = w.ops == null ? null : new DmaOp[jobs];
            for (int j = 0; j < jobs; j++)
            {
                if (srcSge != null)
                {
                    srcSge[j] = shortened(w.srcSge[j], shorten ? nbDst * unit : 0);
                    dstSge[j] = shortened(w.dstSge[j], shorten ? nbSrc * unit : 0);
                }
                if (ops != null)
                {
                    ops[j] = srcSge != null ? PerfWorkload.op(srcSge[j], dstSge[j], nbSrc, nbDst) :
                        PerfWorkload.op(w.srcIova[j], w.dstIova[j], bytes);
                }
            }
            final int[] next = new int[1];
            final String report = CallerCost.warmUp(cost, kickBatch, () ->
            {
                if (error == null)
                {
                    final int first = next[0];
                    final int count = Math.min(kickBatch, jobs - first);
                    burst(w.srcIova, w.dstIova, srcSge, dstSge, ops, bytes, first, count);
                    next[0] = first + count == jobs ? 0 : first + count;
                }
            });
            warmUpReport = String.format(Locale.ROOT, "%s, jobs of %d B", report, bytes);
        }

        private static DmaSge[] shortened(final DmaSge[] pieces, final int length)
        {
            final DmaSge[] copy = new DmaSge[pieces.length];
            for (int k = 0; k < pieces.length; k++)
            {
                copy[k] = new DmaSge(pieces[k].addr, length > 0 ? length : pieces[k].length);
            }
            return copy;
        }
    }

    /** Copies by the device: dma-perf's {@code do_dma_plain_mem_copy}, {@code do_dma_sg_mem_copy} and ops mode. */
    static final class Dma extends PerfWorker
    {
        private final BenchTarget target;
        private final DmaDevice device;
        private final int kickBatch;
        private final Completion completion = new Completion();
        private final DmaOp[] opsScratch;
        private final DmaOp[] dequeued = new DmaOp[64];
        private long outstanding;
        private long total;

        Dma(final PerfWorkload workload, final BenchTarget target, final int kickBatch)
        {
            super("dma-perf-dma", workload);
            this.target = target;
            this.device = target.device();
            this.kickBatch = kickBatch;
            this.opsScratch = workload.ops == null ? null : new DmaOp[kickBatch];
        }

        @Override
        void work()
        {
            if (workload.ops != null)
            {
                workOps();
            }
            else
            {
                workBurst();
            }
            drain();
        }

        private void workBurst()
        {
            final PerfWorkload w = workload;
            final DmaDevice dev = device;
            final int jobs = w.jobs;
            final int bufSize = w.bufSize;
            final boolean sg = w.srcSge != null;
            int sinceKick = 0;
            while (!stop && error == null)
            {
                for (int i = 0; i < jobs; i++)
                {
                    int result;
                    while (true)
                    {
                        result = sg ?
                            dev.copySg(BenchTarget.VCHAN, w.srcSge[i], w.dstSge[i], w.nbSrc, w.nbDst, 0) :
                            dev.copy(BenchTarget.VCHAN, w.srcIova[i], w.dstIova[i], bufSize, 0);
                        if (result != -Errno.ENOSPC)
                        {
                            break;
                        }
                        submitAndPoll();
                    }
                    if (result < 0)
                    {
                        error = "enqueue failed: errno " + -result;
                        return;
                    }
                    outstanding++;
                    if (++sinceKick == kickBatch)
                    {
                        sinceKick = 0;
                        submitAndPoll();
                    }
                }
            }
        }

        private void submitAndPoll()
        {
            device.submit(BenchTarget.VCHAN);
            target.drive();
            final int n = device.completed(BenchTarget.VCHAN, MAX_COMPLETIONS, completion);
            if (completion.hasError)
            {
                error = "a job failed";
            }
            outstanding -= n;
            total += n;
            completed.lazySet(total);
        }

        private void workOps()
        {
            final PerfWorkload w = workload;
            final DmaOp[] ops = w.ops;
            final int jobs = w.jobs;
            while (!stop && error == null)
            {
                for (int i = 0; i < jobs; i += kickBatch)
                {
                    final int size = Math.min(jobs - i, kickBatch);
                    int enqueued = 0;
                    while (enqueued < size)
                    {
                        System.arraycopy(ops, i + enqueued, opsScratch, 0, size - enqueued);
                        final int n = device.enqueueOps(BenchTarget.VCHAN, opsScratch, size - enqueued);
                        enqueued += n;
                        outstanding += n;
                        if (enqueued < size)
                        {
                            dequeue();
                        }
                    }
                    dequeue();
                }
            }
        }

        private void dequeue()
        {
            target.drive();
            final int n = device.dequeueOps(BenchTarget.VCHAN, dequeued, dequeued.length);
            for (int k = 0; k < n; k++)
            {
                if (dequeued[k].status != io.shmdma.DmaStatus.SUCCESSFUL)
                {
                    error = "a job failed: " + dequeued[k].status;
                }
            }
            outstanding -= n;
            total += n;
            completed.lazySet(total);
        }

        private void drain()
        {
            final long deadline = System.nanoTime() + DRAIN_TIMEOUT_NS;
            while (outstanding > 0 && deadline - System.nanoTime() > 0)
            {
                if (workload.ops != null)
                {
                    dequeue();
                }
                else
                {
                    submitAndPoll();
                }
            }
            if (outstanding > 0 && error == null)
            {
                error = "wait DMA failed: " + outstanding + " jobs never completed";
            }
        }
    }
}
