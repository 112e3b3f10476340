package io.shmdma.bench;

import io.shmdma.Completion;
import io.shmdma.DmaDevice;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AgentInvoker;

import java.util.Arrays;
import java.util.Locale;

/**
 * Where a small job's time goes, measured on one thread: the caller enqueues a ring's worth of copies and rings
 * the doorbell, the engine (inline, on the same thread) executes them, then the caller gathers them; each phase
 * is timed on its own and divided by the jobs, beside the same thread copying the same bytes itself. Nothing
 * crosses cores, so these are the instruction and cache costs of each side: the floor under a busy-spin device,
 * whose two threads can at best overlap the caller's share with the engine's.
 * <p>
 * The working set is dma-perf's case 1 (10 MB, source and destination halves, buffers at cache-line strides: back
 * to back for sizes that are multiples of 64).
 * <p>
 * Usage: {@code JobCostBreakdown [--size BYTES] [--rounds N] [--round-ms MS]} (defaults 64, 7, 1000).
 */
public final class JobCostBreakdown
{
    private static final int RING = 1024;
    private static final long HALF = 5L << 20;

    private JobCostBreakdown()
    {
    }

    /**
     * Runs the breakdown and prints one row per round and the medians.
     *
     * @param args see the class comment.
     */
    public static void main(final String[] args)
    {
        int size = 64;
        int rounds = 7;
        long roundNs = 1_000_000_000L;
        for (int i = 0; i + 1 < args.length; i += 2)
        {
            switch (args[i])
            {
                case "--size" -> size = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--round-ms" -> roundNs = Long.parseLong(args[i + 1]) * 1_000_000L;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        try (BenchTarget target = BenchTarget.open(
            DeviceKind.IN_PROCESS, EngineMode.INLINE, CopySlots.domainBytes(size, jobs(size)), RING, 0))
        {
            System.out.printf(Locale.ROOT, "JobCostBreakdown: %d B copies, %d per doorbell, 10 MB working set, one " +
                "thread (inline engine); %s, %s%n", size, RING, System.getProperty("java.vm.version"),
                DmaPerf.cpuModel());
            System.out.printf(Locale.ROOT, "%-6s %18s %10s %10s %10s %12s %14s%n", "round", "enqueue+doorbell",
                "engine", "gather", "total", "CPU copy", "bound DMA/CPU");
            final double[][] rows = new double[rounds][];
            final Breakdown breakdown = new Breakdown(target, size);
            breakdown.run(roundNs / 2); // warm-up: C2 compiles both sides
            for (int round = 0; round < rounds; round++)
            {
                rows[round] = breakdown.run(roundNs);
                print(Integer.toString(round + 1), rows[round]);
            }
            final double[] median = new double[rows[0].length];
            for (int column = 0; column < median.length; column++)
            {
                final double[] values = new double[rounds];
                for (int round = 0; round < rounds; round++)
                {
                    values[round] = rows[round][column];
                }
                Arrays.sort(values);
                median[column] = values[rounds / 2];
            }
            print("median", median);
            System.out.println("ns per job; 'bound DMA/CPU' is the CPU copy's time over the larger of the caller's " +
                "share (enqueue+doorbell+gather) and the engine's: the best MOps ratio two threads could reach if " +
                "they overlapped perfectly and no cache line crossed cores");
        }
    }

    /** Jobs that fill one half of dma-perf's working set. */
    private static int jobs(final int size)
    {
        return (int)(HALF / size);
    }

    private static void print(final String round, final double[] row)
    {
        final double caller = row[0] + row[2];
        final double bound = row[3] / Math.max(caller, row[1]);
        System.out.printf(Locale.ROOT, "%-6s %15.1f ns %7.1f ns %7.1f ns %7.1f ns %9.1f ns %13.2fx%n", round, row[0],
            row[1], row[2], row[0] + row[1] + row[2], row[3], bound);
    }

    /** The three phases over the same buffers, then the CPU copy of the same jobs. */
    private static final class Breakdown
    {
        private final DmaDevice device;
        private final AgentInvoker engine;
        private final Completion completion = new Completion();
        private final CopySlots slots;
        private final int size;

        Breakdown(final BenchTarget target, final int size)
        {
            this.device = target.device();
            this.engine = device.engineInvoker();
            this.size = size;
            this.slots = new CopySlots(target, size, jobs(size));
        }

        /** @return ns per job: enqueue+doorbell, engine, gather, CPU copy. */
        double[] run(final long durationNs)
        {
            long enqueueNs = 0;
            long engineNs = 0;
            long gatherNs = 0;
            long jobs = 0;
            final long end = System.nanoTime() + durationNs;
            while (System.nanoTime() - end < 0)
            {
                final long t0 = System.nanoTime();
                for (int i = 0; i < RING; i++)
                {
                    final int slot = slots.nextSlot();
                    BenchTarget.checkEnqueued(
                        device.copy(BenchTarget.VCHAN, slots.srcIova(slot), slots.dstIova(slot), size, 0));
                }
                device.submit(BenchTarget.VCHAN);
                final long t1 = System.nanoTime();
                int executed = 0;
                while (executed < RING)
                {
                    executed += engine.invoke();
                }
                final long t2 = System.nanoTime();
                int gathered = 0;
                while (gathered < RING)
                {
                    gathered += device.completed(BenchTarget.VCHAN, RING - gathered, completion);
                    if (completion.hasError)
                    {
                        throw new IllegalStateException("a copy failed");
                    }
                }
                final long t3 = System.nanoTime();
                enqueueNs += t1 - t0;
                engineNs += t2 - t1;
                gatherNs += t3 - t2;
                jobs += RING;
            }
            final long cpuStart = System.nanoTime();
            long cpuJobs = 0;
            while (System.nanoTime() - cpuStart < durationNs / 2)
            {
                for (int slot = 0; slot < slots.slots(); slot++)
                {
                    UnsafeApi.copyMemory(slots.srcAddress(slot), slots.dstAddress(slot), size);
                }
                cpuJobs += slots.slots();
            }
            final double cpuNs = (double)(System.nanoTime() - cpuStart) / cpuJobs;
            return new double[] {(double)enqueueNs / jobs, (double)engineNs / jobs, (double)gatherNs / jobs, cpuNs};
        }
    }
}
