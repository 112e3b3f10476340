package io.shmdma.bench;

import io.shmdma.Completion;
import io.shmdma.DmaDevice;
import io.shmdma.DmaOp;
import io.shmdma.DmaStatus;

/**
 * The application thread's own cost of offloading a burst of jobs, measured on that thread as the time it
 * spends outside waiting: enqueue and doorbell, then the completion polls that gather something. The caller
 * modelled is one that enqueues a burst, rings the doorbell, goes on with other work and later gathers the
 * whole burst with one {@code completed} call.
 * <p>
 * So after the doorbell this class waits by spinning on {@code System.nanoTime()} only, touching no memory the
 * engine writes (so the gather that follows pays every cache miss a real caller pays), until an adaptive
 * deadline: the time the engine took for the last bursts. Then it polls {@code completed} once. A poll that
 * gathers nothing is waiting and is not counted; a poll that gathers jobs is counted in full. When the first
 * gather did not get the whole burst, the deadline grows (at most doubling per burst, so that one scheduling
 * stall does not make the next hundreds of bursts wait milliseconds) and the rest is gathered after further
 * short waits; when it did, the deadline shrinks by 1/64, so about one burst in ten needs a second gather and
 * the figure errs on the side of a higher cost. With an inline engine the caller runs the engine itself, so every
 * nanosecond from the first enqueue to the last completion is its cost.
 * <p>
 * Each timed region's own timer cost (one {@code System.nanoTime()} call, calibrated once per JVM as the mean
 * of back-to-back calls) is subtracted, so a region timed around nothing counts 0 on average. The CPU
 * baselines time their copy loop the same way. Thread CPU time ({@code ThreadMXBean}) is not used: a caller
 * that spins while it waits burns CPU time waiting, which it is the point to exclude, and the call costs a
 * system call, more than a small job.
 */
public final class CallerCost
{
    /** Mean nanoseconds one timed region adds by itself (one {@code System.nanoTime()} call). */
    public static final double TIMER_NS = calibrateTimer();

    private static final long MIN_STEP_NS = 50;

    private final DmaDevice device;
    private final BenchTarget target;
    private final boolean inline;
    private final boolean ops;
    private final Completion completion = new Completion();
    private final DmaOp[] dequeued;
    private long waitNs;
    private long bursts;
    private long gathers;

    /**
     * @param target the device to gather from.
     * @param ops    gather with {@code dequeueOps} (enqueue/dequeue-ops mode) instead of {@code completed}.
     */
    public CallerCost(final BenchTarget target, final boolean ops)
    {
        this.target = target;
        this.device = target.device();
        this.inline = device.engineInvoker() != null;
        this.ops = ops;
        this.dequeued = ops ? new DmaOp[256] : null;
    }

    /**
     * Call right after the doorbell of a burst: times the enqueue region, waits without touching shared memory,
     * gathers {@code count} completions and returns the caller's nanoseconds for the whole burst.
     *
     * @param enqueueStartNs {@code System.nanoTime()} taken before the first enqueue of the burst.
     * @param count          jobs in the burst, all submitted.
     * @return the caller's nanoseconds outside waiting, timer cost subtracted.
     * @throws IllegalStateException when a job failed.
     */
    public double gather(final long enqueueStartNs, final int count)
    {
        final long submittedNs = System.nanoTime();
        bursts++;
        if (inline)
        {
            int done = 0;
            while (done < count)
            {
                target.drive();
                done += poll(count - done);
            }
            gathers++;
            return System.nanoTime() - enqueueStartNs - TIMER_NS;
        }
        double busy = submittedNs - enqueueStartNs - TIMER_NS;
        spinUntil(submittedNs + waitNs);
        int done = 0;
        boolean firstComplete = false;
        boolean first = true;
        long lastPollNs = 0;
        while (done < count)
        {
            final long t0 = System.nanoTime();
            final int n = poll(count - done);
            final long t1 = System.nanoTime();
            if (n > 0)
            {
                busy += t1 - t0 - TIMER_NS;
                gathers++;
            }
            done += n;
            if (first)
            {
                firstComplete = done >= count;
                first = false;
            }
            lastPollNs = t1;
            if (done < count)
            {
                spinUntil(t1 + Math.max(MIN_STEP_NS, waitNs >> 3));
            }
        }
        if (firstComplete)
        {
            waitNs -= waitNs >> 6;
        }
        else
        {
            final long step = Math.max(MIN_STEP_NS, waitNs >> 3);
            final long grown = Math.max(waitNs + (waitNs >> 3) + 8, lastPollNs - submittedNs - step);
            waitNs = Math.min(grown, 2 * waitNs + MIN_STEP_NS); // a scheduling stall must not inflate later waits
        }
        return busy;
    }

    /**
     * The wait deadline after a doorbell, adapted to the engine's recent bursts.
     *
     * @return nanoseconds.
     */
    public long waitNs()
    {
        return waitNs;
    }

    /**
     * Gathers (completion polls that returned jobs) per burst so far: 1.0 when every burst was gathered in one call.
     *
     * @return the ratio, NaN before the first burst.
     */
    public double gathersPerBurst()
    {
        return bursts == 0 ? Double.NaN : (double)gathers / bursts;
    }

    /**
     * Ring index of the last job gathered.
     *
     * @return the index.
     */
    public int lastIdx()
    {
        return completion.lastIdx;
    }

    private int poll(final int max)
    {
        if (ops)
        {
            final int n = device.dequeueOps(BenchTarget.VCHAN, dequeued, Math.min(max, dequeued.length));
            for (int i = 0; i < n; i++)
            {
                if (dequeued[i].status != DmaStatus.SUCCESSFUL)
                {
                    throw new IllegalStateException("DMA job failed: " + dequeued[i].status);
                }
            }
            return n;
        }
        final int n = device.completed(BenchTarget.VCHAN, max, completion);
        if (completion.hasError)
        {
            throw target.failed();
        }
        return n;
    }

    /**
     * Spins on the clock until a deadline, touching no shared memory.
     *
     * @param deadlineNs a {@code System.nanoTime()} value.
     */
    public static void spinUntil(final long deadlineNs)
    {
        while (System.nanoTime() - deadlineNs < 0)
        {
            Thread.onSpinWait();
        }
    }

    /**
     * The cost a timed region adds by itself, for a CPU baseline timed around its copy loop.
     *
     * @param startNs {@code System.nanoTime()} before the region.
     * @return nanoseconds since {@code startNs}, timer cost subtracted.
     */
    public static double since(final long startNs)
    {
        return System.nanoTime() - startNs - TIMER_NS;
    }

    private static double calibrateTimer()
    {
        double best = Double.MAX_VALUE;
        for (int round = 0; round < 5; round++)
        {
            final int n = 200_000;
            long sum = 0;
            for (int i = 0; i < n; i++)
            {
                final long t0 = System.nanoTime();
                sum += System.nanoTime() - t0;
            }
            best = Math.min(best, (double)sum / n);
        }
        return best;
    }
}
