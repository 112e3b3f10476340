package io.shmdma.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * How much CPU other processes used while a measurement ran, from Linux's {@code /proc/stat} (all CPUs) and
 * {@code /proc/self/stat} (this JVM, every thread). On a small shared machine a busy-spin benchmark is only
 * meaningful while nothing else runs; this is how the tools tell a clean measurement from a contaminated one.
 */
public final class HostCpu
{
    /** Clock ticks per second of the proc files (USER_HZ). */
    public static final int TICKS_PER_SECOND = 100;

    private final long busyTicks;
    private final long selfTicks;
    private final long nanoTime;

    private HostCpu(final long busyTicks, final long selfTicks, final long nanoTime)
    {
        this.busyTicks = busyTicks;
        this.selfTicks = selfTicks;
        this.nanoTime = nanoTime;
    }

    /**
     * Takes a snapshot; counters read as 0 where the proc files are missing.
     *
     * @return the snapshot.
     */
    public static HostCpu snapshot()
    {
        return new HostCpu(readBusyTicks(), readSelfTicks(), System.nanoTime());
    }

    /**
     * Percentage of all CPUs used by other processes since {@code earlier}.
     *
     * @param earlier an earlier snapshot.
     * @return 0..100, or NaN when unknown.
     */
    public double otherPercentSince(final HostCpu earlier)
    {
        final double seconds = (nanoTime - earlier.nanoTime) / 1e9;
        if (busyTicks == 0 || seconds <= 0)
        {
            return Double.NaN;
        }
        final long others = (busyTicks - earlier.busyTicks) - (selfTicks - earlier.selfTicks);
        final double capacity = seconds * TICKS_PER_SECOND * Runtime.getRuntime().availableProcessors();
        return Math.max(0, Math.min(100, 100.0 * others / capacity));
    }

    /**
     * Waits, up to {@code maxWaitMs}, for a 200 ms window in which other processes use less than
     * {@code quietPercent} of the CPUs; this JVM's own threads (a spinning engine included) do not count.
     *
     * @param maxWaitMs    longest wait; 0 returns at once.
     * @param quietPercent the threshold.
     * @return whether a quiet window was found.
     */
    public static boolean awaitQuiet(final long maxWaitMs, final double quietPercent)
    {
        final long deadline = System.nanoTime() + maxWaitMs * 1_000_000L;
        while (maxWaitMs > 0 && System.nanoTime() - deadline < 0)
        {
            final HostCpu windowStart = snapshot();
            java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L);
            if (snapshot().otherPercentSince(windowStart) < quietPercent)
            {
                return true;
            }
        }
        return maxWaitMs <= 0;
    }

    private static long readBusyTicks()
    {
        try
        {
            final String line = Files.readAllLines(Paths.get("/proc/stat")).get(0);
            final String[] fields = line.trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < fields.length && i <= 8; i++)
            {
                if (i != 4 && i != 5)
                {
                    busy += Long.parseLong(fields[i]);
                }
            }
            return busy;
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0;
        }
    }

    private static long readSelfTicks()
    {
        try
        {
            final String stat = Files.readString(Paths.get("/proc/self/stat"));
            final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0;
        }
    }
}
