package io.shmdma.bench;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.util.concurrent.locks.LockSupport;

/**
 * How much CPU other processes used while a measurement ran, from Linux's {@code /proc/stat} (all CPUs) and
 * {@code /proc/self/stat} (this JVM, every thread). On a small shared machine a busy-spin benchmark is only
 * meaningful while nothing else runs; this is how the tools tell a clean measurement from a contaminated one.
 * Reading does not allocate (the files stay open and are re-read from offset 0), so that it does not show up in
 * JMH's allocation figures.
 */
public final class HostCpu
{
    /** Clock ticks per second of the proc files (USER_HZ). */
    public static final int TICKS_PER_SECOND = 100;

    private static final long QUIET_WINDOW_NS = 200_000_000L;
    private static final byte[] SCRATCH = new byte[1024];
    private static RandomAccessFile procStat;
    private static RandomAccessFile procSelfStat;

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
    public static synchronized HostCpu snapshot()
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
        return otherPercent(earlier.busyTicks, earlier.selfTicks, earlier.nanoTime, busyTicks, selfTicks, nanoTime);
    }

    private static double otherPercent(
        final long busy0, final long self0, final long time0, final long busy1, final long self1, final long time1)
    {
        final double seconds = (time1 - time0) / 1e9;
        if (busy1 == 0 || seconds <= 0)
        {
            return Double.NaN;
        }
        final long others = (busy1 - busy0) - (self1 - self0);
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
            final long busy0;
            final long self0;
            final long time0;
            synchronized (HostCpu.class)
            {
                busy0 = readBusyTicks();
                self0 = readSelfTicks();
                time0 = System.nanoTime();
            }
            LockSupport.parkNanos(QUIET_WINDOW_NS);
            final double others;
            synchronized (HostCpu.class)
            {
                others = otherPercent(busy0, self0, time0, readBusyTicks(), readSelfTicks(), System.nanoTime());
            }
            if (others < quietPercent)
            {
                return true;
            }
        }
        return maxWaitMs <= 0;
    }

    /** Sum of the busy columns of the first line of /proc/stat: user nice system irq softirq steal. */
    private static long readBusyTicks()
    {
        try
        {
            if (procStat == null)
            {
                procStat = new RandomAccessFile("/proc/stat", "r");
            }
            procStat.seek(0);
            final int length = procStat.read(SCRATCH, 0, SCRATCH.length);
            int position = 0;
            while (position < length && SCRATCH[position] != ' ')
            {
                position++;
            }
            long busy = 0;
            for (int column = 1; column <= 8; column++)
            {
                while (position < length && SCRATCH[position] == ' ')
                {
                    position++;
                }
                long value = 0;
                while (position < length && SCRATCH[position] >= '0' && SCRATCH[position] <= '9')
                {
                    value = value * 10 + (SCRATCH[position++] - '0');
                }
                if (column != 4 && column != 5)
                {
                    busy += value;
                }
            }
            return busy;
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0;
        }
    }

    /** utime + stime of this process (fields 14 and 15 of /proc/self/stat, counted after the command name). */
    private static long readSelfTicks()
    {
        try
        {
            if (procSelfStat == null)
            {
                procSelfStat = new RandomAccessFile("/proc/self/stat", "r");
            }
            procSelfStat.seek(0);
            final int length = procSelfStat.read(SCRATCH, 0, SCRATCH.length);
            int position = length - 1;
            while (position > 0 && SCRATCH[position] != ')')
            {
                position--;
            }
            position += 2;
            long total = 0;
            for (int field = 3; field <= 15; field++)
            {
                long value = 0;
                while (position < length && SCRATCH[position] != ' ')
                {
                    value = value * 10 + (SCRATCH[position++] - '0');
                }
                position++;
                if (field >= 14)
                {
                    total += value;
                }
            }
            return total;
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0;
        }
    }
}
