package io.shmdma.bench;

import io.shmdma.Completion;
import io.shmdma.DmaDevice;
import io.shmdma.DmaOp;
import io.shmdma.Errno;
import org.agrona.UnsafeApi;

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
     * The caller-cost phase of a DMA scenario (not in dma-perf): the same jobs in bursts of {@code kick_batch},
     * each burst enqueued, submitted, and gathered once after a wait that touches no shared memory
     * ({@link CallerCost}). Publishes its count of jobs and the caller's nanoseconds outside waiting.
     */
    static final class DmaCaller extends PerfWorker
    {
        final AtomicLong callerNs = new AtomicLong();
        private final DmaDevice device;
        private final int kickBatch;
        private final CallerCost cost;
        private final DmaOp[] opsScratch;
        private volatile double gathersPerBurst = Double.NaN;

        DmaCaller(final PerfWorkload workload, final BenchTarget target, final int kickBatch)
        {
            super("dma-perf-caller", workload);
            this.device = target.device();
            this.kickBatch = Math.max(1, Math.min(kickBatch, device.burstCapacity(BenchTarget.VCHAN)));
            this.cost = new CallerCost(target, workload.ops != null);
            this.opsScratch = workload.ops == null ? null : new DmaOp[this.kickBatch];
        }

        double gathersPerBurst()
        {
            return gathersPerBurst;
        }

        @Override
        void work()
        {
            final PerfWorkload w = workload;
            final DmaDevice dev = device;
            final int jobs = w.jobs;
            final int bufSize = w.bufSize;
            final boolean sg = w.srcSge != null;
            final DmaOp[] ops = w.ops;
            long total = 0;
            double ns = 0;
            while (!stop && error == null)
            {
                for (int i = 0; i < jobs && error == null; i += kickBatch)
                {
                    final int burst = Math.min(kickBatch, jobs - i);
                    final long start = System.nanoTime();
                    if (ops != null)
                    {
                        System.arraycopy(ops, i, opsScratch, 0, burst);
                        if (dev.enqueueOps(BenchTarget.VCHAN, opsScratch, burst) != burst)
                        {
                            error = "enqueueOps took fewer than " + burst + " ops";
                            return;
                        }
                    }
                    else
                    {
                        for (int j = i; j < i + burst; j++)
                        {
                            final int result = sg ?
                                dev.copySg(BenchTarget.VCHAN, w.srcSge[j], w.dstSge[j], w.nbSrc, w.nbDst, 0) :
                                dev.copy(BenchTarget.VCHAN, w.srcIova[j], w.dstIova[j], bufSize, 0);
                            if (result < 0)
                            {
                                error = "enqueue failed: errno " + -result;
                                return;
                            }
                        }
                        dev.submit(BenchTarget.VCHAN);
                    }
                    ns += cost.gather(start, burst);
                    total += burst;
                    callerNs.lazySet((long)ns);
                    completed.lazySet(total);
                }
                gathersPerBurst = cost.gathersPerBurst();
            }
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
