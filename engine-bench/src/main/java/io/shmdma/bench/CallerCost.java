package io.shmdma.bench;

import io.shmdma.Completion;
import io.shmdma.DmaDevice;
import io.shmdma.DmaOp;
import io.shmdma.DmaStatus;

import java.util.Locale;

/**
 * The application thread's own cost of offloading a burst of jobs, measured on that thread as the time it
 * spends outside waiting: enqueue and doorbell, then the completion polls that gather something. The caller
 * modelled is one that enqueues a burst, rings the doorbell, goes on with other work and later gathers the
 * whole burst, ideally with one {@code completed} call.
 * <p>
 * What is counted, per burst: the region from before the first enqueue to after the doorbell (timed by the
 * caller, ended here), and each completion poll that gathers at least one job, timed one by one and counted in
 * full. What is not counted: the wait, and a poll that gathers nothing (it is waiting). The wait spins on
 * {@code System.nanoTime()} only, touching no memory the engine writes, so the gather that follows pays every
 * cache miss a real caller pays.
 * <p>
 * How long it waits: the first poll comes at a deadline adapted to the engine's recent bursts. If it gathers
 * part of the burst, the next poll comes after the time the rest should take at the pace seen so far (jobs
 * gathered against the time since the doorbell, plus 1/8), so a burst whose jobs complete one by one (large
 * jobs) is still gathered in about two polls, not one per job; while nothing at all has completed, it polls
 * again after 1/8 of the time waited so far. After a burst whose first poll got everything the deadline
 * shrinks by 1/64, so now and then a first poll comes early and the figure errs on the side of a higher cost;
 * after a burst whose first poll did not, the deadline grows to the burst time projected from the pace seen
 * (at least by 1/8) but at most doubles, so that one scheduling stall does not make the following bursts wait
 * long. The first burst after construction or {@link #reset()} has no history: its first poll comes at once
 * and the deadline is set to its projected time. {@link #gathersPerBurst()} shows the result: about 1.1 when
 * the method works as meant. With an inline engine the caller runs the engine itself, so every nanosecond from
 * the first enqueue to the last completion is its cost.
 * <p>
 * Each timed region's own timer cost (one {@code System.nanoTime()} call, calibrated once per JVM as the mean
 * of back-to-back calls) is subtracted, so a region timed around nothing counts 0 on average. The CPU
 * baselines time their copy loop the same way. Thread CPU time ({@code ThreadMXBean}) is not used: a caller
 * that spins while it waits burns CPU time waiting, which it is the point to exclude, and the call costs a
 * system call, more than a small job.
 * <p>
 * JIT warm-up: a burst of large jobs takes milliseconds, so a benchmark of large jobs alone runs too few bursts
 * in its warm-up for C2 to compile the caller's path, and would measure interpreted code. {@link #warmUp}
 * runs the caller's own burst code with small jobs first, then resets the statistics.
 */
public final class CallerCost
{
    /** Mean nanoseconds one timed region adds by itself (one {@code System.nanoTime()} call). */
    public static final double TIMER_NS = calibrateTimer();

    /** Bursts a {@link #warmUp} runs at least: each per-burst method is then called far above C2's threshold. */
    public static final long WARM_UP_BURSTS = 20_000;
    /** Jobs a {@link #warmUp} runs at least: each per-job method is then called far above C2's threshold. */
    public static final long WARM_UP_JOBS = 200_000;
    /** Longest a {@link #warmUp} may take, on a machine so loaded that its bursts crawl. */
    public static final long WARM_UP_MAX_NS = 20_000_000_000L;
    /** Bytes per job a warm-up uses: small, so that its bursts are quick. */
    public static final int WARM_UP_JOB_BYTES = 64;

    private static final long MIN_STEP_NS = 50;

    private final DmaDevice device;
    private final BenchTarget target;
    private final boolean inline;
    private final boolean ops;
    private final Completion completion = new Completion();
    private final DmaOp[] dequeued;
    private long waitNs;
    private long minWaitNs;
    private boolean adapted;
    private long bursts;
    private long gathers;
    private long gathersTaken;

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
     * Runs a caller's burst code until C2 has had every reason to compile it: at least {@link #WARM_UP_BURSTS}
     * bursts and {@link #WARM_UP_JOBS} jobs (or {@link #WARM_UP_MAX_NS}, whichever comes first), forgetting the
     * adapted wait every 64 bursts so that the paths of a burst without history (polls that gather nothing,
     * partial gathers) are compiled too. Then resets the statistics and the wait. Call it from set-up code with
     * a burst of small jobs ({@link #WARM_UP_JOB_BYTES}) through the very method that is measured.
     *
     * @param cost      the caller cost the burst gathers with, or null for a CPU baseline.
     * @param kickBatch jobs per burst.
     * @param burst     runs one burst.
     * @return one line saying what was run, and whether the time limit cut it short.
     */
    public static String warmUp(final CallerCost cost, final int kickBatch, final Runnable burst)
    {
        final long startNs = System.nanoTime();
        final long minBursts = Math.max(WARM_UP_BURSTS, (WARM_UP_JOBS + kickBatch - 1) / Math.max(1, kickBatch));
        long count = 0;
        while (count < minBursts && System.nanoTime() - startNs < WARM_UP_MAX_NS)
        {
            if (cost != null && (count & 63) == 0)
            {
                cost.reset();
            }
            burst.run();
            count++;
        }
        if (cost != null)
        {
            cost.reset();
        }
        return String.format(Locale.ROOT, "warm-up: %d bursts of %d jobs in %.0f ms%s", count, kickBatch,
            (System.nanoTime() - startNs) / 1e6,
            count < minBursts ? " (time limit reached: the caller's path may not be compiled by C2 yet)" : "");
    }

    /**
     * Makes every burst wait at least this long before its first poll, as a caller busy elsewhere for that long
     * would: with it, small jobs show what a long wait alone (that of a burst of large jobs) does to the caller's
     * cost, whose cache lines cool meanwhile. 0, the default, waits only as long as the engine needs.
     *
     * @param nanos the least wait after each doorbell.
     * @return this.
     */
    public CallerCost minWaitNs(final long nanos)
    {
        this.minWaitNs = Math.max(0, nanos);
        return this;
    }

    /**
     * Forgets the statistics and the adapted wait: the next burst sets the wait from its own pace.
     */
    public void reset()
    {
        bursts = 0;
        gathers = 0;
        gathersTaken = 0;
        waitNs = 0;
        adapted = false;
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
        spinUntil(submittedNs + Math.max(waitNs, minWaitNs));
        int done = 0;
        boolean first = true;
        boolean firstComplete = false;
        long projectedNs = 0;
        long lastPollNs;
        while (true)
        {
            final long t0 = System.nanoTime();
            final int n = poll(count - done);
            final long t1 = System.nanoTime();
            lastPollNs = t1;
            if (n > 0)
            {
                busy += t1 - t0 - TIMER_NS;
                gathers++;
                done += n;
            }
            if (first)
            {
                firstComplete = done >= count;
                first = false;
            }
            if (done >= count)
            {
                break;
            }
            final long elapsedNs = t1 - submittedNs;
            final long nextNs;
            if (done > 0)
            {
                projectedNs = elapsedNs * count / done;
                final long remainingNs = projectedNs - elapsedNs;
                nextNs = remainingNs + (remainingNs >> 3) + MIN_STEP_NS;
            }
            else
            {
                nextNs = Math.max(MIN_STEP_NS, elapsedNs >> 3);
            }
            spinUntil(t1 + nextNs);
        }
        adapt(firstComplete, projectedNs > 0 ? projectedNs : lastPollNs - submittedNs);
        return busy;
    }

    private void adapt(final boolean firstComplete, final long burstNs)
    {
        if (!adapted)
        {
            waitNs = burstNs;
            adapted = true;
        }
        else if (firstComplete)
        {
            waitNs -= waitNs >> 6;
        }
        else
        {
            final long grown = Math.max(waitNs + (waitNs >> 3) + 8, burstNs);
            waitNs = Math.min(grown, 2 * waitNs + MIN_STEP_NS); // a scheduling stall must not inflate later waits
        }
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
     * Bursts gathered since construction or {@link #reset()}.
     *
     * @return the count.
     */
    public long bursts()
    {
        return bursts;
    }

    /**
     * Completion polls that returned jobs since construction or {@link #reset()}.
     *
     * @return the count.
     */
    public long gathers()
    {
        return gathers;
    }

    /**
     * Completion polls that returned jobs since the last call (or construction, or {@link #reset()}): what a
     * benchmark adds to its counters after each burst.
     *
     * @return the count.
     */
    public long takeGathers()
    {
        final long taken = gathers - gathersTaken;
        gathersTaken = gathers;
        return taken;
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
