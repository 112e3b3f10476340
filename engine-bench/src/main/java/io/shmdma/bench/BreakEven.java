package io.shmdma.bench;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The break-even job size of offloading: the smallest measured size from which, at every larger measured size
 * too, the caller's own cost per job with the device is below the time the caller needs to copy the job itself.
 * Sizes whose figures are missing (NaN) are skipped.
 */
public final class BreakEven
{
    private final TreeMap<Long, double[]> points = new TreeMap<>();

    /**
     * Adds a measured size.
     *
     * @param size     bytes per job.
     * @param callerNs the caller's nanoseconds per job when offloading.
     * @param cpuNs    the caller's nanoseconds per job when copying itself.
     * @return this.
     */
    public BreakEven add(final long size, final double callerNs, final double cpuNs)
    {
        if (!Double.isNaN(callerNs) && !Double.isNaN(cpuNs))
        {
            points.put(size, new double[]{ callerNs, cpuNs });
        }
        return this;
    }

    /**
     * Sizes with figures on both sides.
     *
     * @return the count.
     */
    public int sizes()
    {
        return points.size();
    }

    /**
     * The break-even size.
     *
     * @return bytes, or -1 when offloading costs the caller more at the largest measured size (or nothing was
     * measured).
     */
    public long size()
    {
        long breakEven = -1;
        for (final Map.Entry<Long, double[]> point : points.descendingMap().entrySet())
        {
            if (point.getValue()[0] < point.getValue()[1])
            {
                breakEven = point.getKey();
            }
            else
            {
                break;
            }
        }
        return breakEven;
    }

    /**
     * One line: the break-even size and the figures on both sides of it.
     *
     * @return text.
     */
    public String describe()
    {
        if (points.isEmpty())
        {
            return "no clean measurement";
        }
        final long size = size();
        if (size < 0)
        {
            final Map.Entry<Long, double[]> largest = points.lastEntry();
            return String.format(Locale.ROOT, "not reached up to %s (caller %.1f ns/job vs CPU copy %.1f ns/job)",
                bytes(largest.getKey()), largest.getValue()[0], largest.getValue()[1]);
        }
        final double[] at = points.get(size);
        final Map.Entry<Long, double[]> below = points.lowerEntry(size);
        final StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
            "%s (caller %.1f ns/job vs CPU copy %.1f ns/job)", bytes(size), at[0], at[1]));
        if (below == null)
        {
            text.append("; the smallest size measured");
        }
        else
        {
            text.append(String.format(Locale.ROOT, "; at %s caller %.1f vs CPU %.1f ns/job", bytes(below.getKey()),
                below.getValue()[0], below.getValue()[1]));
        }
        return text.toString();
    }

    static String bytes(final long value)
    {
        if (value >= 1 << 20 && value % (1 << 20) == 0)
        {
            return (value >> 20) + " MiB";
        }
        if (value >= 1 << 10 && value % (1 << 10) == 0)
        {
            return (value >> 10) + " KiB";
        }
        return value + " B";
    }
}
