package io.shmdma.bench;

import org.HdrHistogram.Histogram;

import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Round-trip latency of a small DMA copy against the cache-line ping-pong, in interleaved phases.
 * <p>
 * On a virtual machine the cost of moving a cache line between the two vCPUs depends on where the host places
 * them, and that changes over time (here 100 ns or 400 ns per ping-pong, switching between runs). JMH runs one
 * benchmark after another, so its DMA and ping-pong figures may come from different placements. This tool
 * alternates short phases of each kind many times in one JVM, records every round trip in an HdrHistogram per
 * kind, and also reports the median over rounds of the per-round ratio of medians, which is robust to
 * placement changes between rounds. Only one helper thread spins at a time. With {@code --wait-quiet-ms} each
 * round starts only after a quiet 200 ms window; rounds during which other processes used more than 5% of the
 * CPUs are left out of the report.
 * <pre>
 * java --add-exports=java.base/jdk.internal.misc=ALL-UNNAMED -cp benchmarks.jar io.shmdma.bench.RoundTripLatency \
 *     [--rounds 20] [--phase-ms 200] [--size 64] [--quick] [--wait-quiet-ms MS]
 * </pre>
 */
public final class RoundTripLatency
{
    private static final long HIGHEST_TRACKABLE_NS = 10_000_000_000L;
    private static final double QUIET_PERCENT = 5;

    private RoundTripLatency()
    {
    }

    /**
     * Runs the comparison and prints the report.
     *
     * @param args see the class Javadoc.
     * @throws InterruptedException if interrupted between phases.
     */
    public static void main(final String[] args) throws InterruptedException
    {
        int rounds = 20;
        long phaseMs = 200;
        int size = SingleCopyRoundTripBenchmark.COPY_BYTES;
        long waitQuietMs = 0;
        for (int i = 0; i < args.length; i++)
        {
            switch (args[i])
            {
                case "--rounds":
                    rounds = Integer.parseInt(args[++i]);
                    break;
                case "--phase-ms":
                    phaseMs = Long.parseLong(args[++i]);
                    break;
                case "--size":
                    size = Integer.parseInt(args[++i]);
                    break;
                case "--wait-quiet-ms":
                    waitQuietMs = Long.parseLong(args[++i]);
                    break;
                case "--quick":
                    rounds = 8;
                    phaseMs = 100;
                    break;
                default:
                    System.err.println("usage: RoundTripLatency [--rounds N] [--phase-ms MS] [--size BYTES] " +
                        "[--quick] [--wait-quiet-ms MS]");
                    System.exit(2);
                    return;
            }
        }
        final RoundTrip[] kinds = {
            new RoundTrip.PingPongRoundTrip(),
            new RoundTrip.DmaCopyRoundTrip(DeviceKind.IN_PROCESS, EngineMode.BUSY_SPIN, size),
            new RoundTrip.DmaCopyRoundTrip(DeviceKind.IN_PROCESS, EngineMode.INLINE, size),
        };
        System.out.printf(Locale.ROOT, "round trips of a %d B copy vs ping-pong: %d rounds x %d ms per kind; " +
            "load average %s%n", size, rounds, phaseMs, loadAverage());
        final Histogram timer = timerOverhead();
        System.out.printf(Locale.ROOT, "System.nanoTime() pair overhead: p50 %d ns, p99 %d ns (included below)%n",
            timer.getValueAtPercentile(50), timer.getValueAtPercentile(99));

        final Histogram[] totals = new Histogram[kinds.length];
        final double[][] roundP50 = new double[kinds.length][rounds];
        for (int k = 0; k < kinds.length; k++)
        {
            totals[k] = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        }
        final HostCpu cpuAtStart = HostCpu.snapshot();
        final Histogram[] roundPhases = new Histogram[kinds.length];
        for (int k = 0; k < kinds.length; k++)
        {
            roundPhases[k] = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        }
        int used = 0;
        int discarded = 0;
        for (int round = 0; used < rounds && round < 4 * rounds + 1; round++)
        {
            HostCpu.awaitQuiet(waitQuietMs, QUIET_PERCENT);
            final HostCpu roundStart = HostCpu.snapshot();
            for (int k = 0; k < kinds.length; k++)
            {
                roundPhases[k].reset();
                runPhase(kinds[k], roundPhases[k], phaseMs);
            }
            if (round == 0)
            {
                continue;
            }
            if (HostCpu.snapshot().otherPercentSince(roundStart) > QUIET_PERCENT)
            {
                discarded++;
                continue;
            }
            for (int k = 0; k < kinds.length; k++)
            {
                totals[k].add(roundPhases[k]);
                roundP50[k][used] = roundPhases[k].getValueAtPercentile(50);
            }
            used++;
        }
        rounds = used;
        System.out.printf(Locale.ROOT, "rounds used: %d; discarded because other processes ran: %d%n", used, discarded);

        System.out.printf(Locale.ROOT, "%-16s %10s %8s %8s %8s %8s %10s %8s%n",
            "kind", "count", "p50 ns", "p90 ns", "p99 ns", "p99.9 ns", "max ns", "mean ns");
        for (int k = 0; k < kinds.length; k++)
        {
            final Histogram h = totals[k];
            System.out.printf(Locale.ROOT, "%-16s %10d %8d %8d %8d %8d %10d %8.1f%n", kinds[k].name(),
                h.getTotalCount(), h.getValueAtPercentile(50), h.getValueAtPercentile(90),
                h.getValueAtPercentile(99), h.getValueAtPercentile(99.9), h.getMaxValue(), h.getMean());
        }
        final Histogram pingPong = totals[0];
        final Histogram dma = totals[1];
        System.out.printf(Locale.ROOT, "dma-busy-spin / ping-pong, all rounds: p50 %.2fx, p99 %.2fx%n",
            (double)dma.getValueAtPercentile(50) / pingPong.getValueAtPercentile(50),
            (double)dma.getValueAtPercentile(99) / pingPong.getValueAtPercentile(99));
        final List<Double> ratios = new ArrayList<>();
        final StringBuilder perRound = new StringBuilder();
        for (int r = 0; r < rounds; r++)
        {
            ratios.add(roundP50[1][r] / roundP50[0][r]);
            perRound.append(String.format(Locale.ROOT, " %.0f/%.0f", roundP50[1][r], roundP50[0][r]));
        }
        System.out.printf(Locale.ROOT, "dma-busy-spin / ping-pong p50, median of per-round ratios: %.2fx%n",
            median(ratios));
        System.out.println("per-round p50 dma/ping-pong ns:" + perRound);
        System.out.printf(Locale.ROOT,
            "other processes used %.1f%% of the CPUs during the run; load average at end: %s%n",
            HostCpu.snapshot().otherPercentSince(cpuAtStart), loadAverage());
    }

    private static void runPhase(final RoundTrip kind, final Histogram histogram, final long phaseMs)
        throws InterruptedException
    {
        kind.start();
        try
        {
            Thread.sleep(5);
            long sink = 0;
            final long warmEnd = System.nanoTime() + phaseMs * 100_000L;
            while (System.nanoTime() - warmEnd < 0)
            {
                sink += kind.roundTrip();
            }
            final long end = System.nanoTime() + phaseMs * 1_000_000L;
            long now = System.nanoTime();
            while (now - end < 0)
            {
                final long start = System.nanoTime();
                sink += kind.roundTrip();
                now = System.nanoTime();
                histogram.recordValue(Math.min(now - start, HIGHEST_TRACKABLE_NS));
            }
            if (sink == 42)
            {
                System.out.print("");
            }
        }
        finally
        {
            kind.stop();
        }
    }

    private static Histogram timerOverhead()
    {
        final Histogram histogram = new Histogram(HIGHEST_TRACKABLE_NS, 3);
        for (int i = 0; i < 1_000_000; i++)
        {
            final long start = System.nanoTime();
            histogram.recordValue(System.nanoTime() - start);
        }
        return histogram;
    }

    private static double median(final List<Double> values)
    {
        final double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(sorted);
        final int n = sorted.length;
        if (n == 0)
        {
            return Double.NaN;
        }
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static String loadAverage()
    {
        try
        {
            final String[] fields = Files.readString(Paths.get("/proc/loadavg")).trim().split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            return "n/a";
        }
    }
}
