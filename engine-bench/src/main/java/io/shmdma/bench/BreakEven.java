package io.shmdma.bench;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The break-even job size of offloading: the smallest measured size from which, at every larger measured size
 * too, the caller's own cost per job with the device is below the time the caller needs to copy the job itself.
 * Sizes whose figures are missing (NaN) are skipped. It also gives how flat the caller's cost stays across the
 * sizes: the largest caller ns per job over the smallest, against the target of {@link #FLAT_TARGET}.
 */
public final class BreakEven
{
    /** Target of the caller's cost per job across sizes: largest over smallest at most this. */
    public static final double FLAT_TARGET = 1.5;

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

    /**
     * How flat the caller's cost per job is across the measured sizes.
     *
     * @return the largest caller ns per job over the smallest, NaN with fewer than two sizes or a smallest
     * figure not above 0.
     */
    public double flatness()
    {
        if (points.size() < 2)
        {
            return Double.NaN;
        }
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (final double[] point : points.values())
        {
            min = Math.min(min, point[0]);
            max = Math.max(max, point[0]);
        }
        return min > 0 ? max / min : Double.NaN;
    }

    /**
     * One line: the flatness ratio, the sizes of the largest and smallest caller cost, and the target.
     *
     * @return text.
     */
    public String describeFlatness()
    {
        final double flatness = flatness();
        if (Double.isNaN(flatness))
        {
            return points.size() < 2 ? "not measured (fewer than 2 sizes)" : "n/a (a caller cost not above 0 ns)";
        }
        Map.Entry<Long, double[]> min = null;
        Map.Entry<Long, double[]> max = null;
        for (final Map.Entry<Long, double[]> point : points.entrySet())
        {
            if (min == null || point.getValue()[0] < min.getValue()[0])
            {
                min = point;
            }
            if (max == null || point.getValue()[0] > max.getValue()[0])
            {
                max = point;
            }
        }
        return String.format(Locale.ROOT,
            "max/min %.2fx over %d sizes from %s to %s (max %.1f ns/job at %s, min %.1f ns/job at %s); " +
            "target <= %.1fx: %s", flatness, points.size(), bytes(points.firstKey()), bytes(points.lastKey()),
            max.getValue()[0], bytes(max.getKey()), min.getValue()[0], bytes(min.getKey()), FLAT_TARGET,
            flatness <= FLAT_TARGET ? "met" : "MISSED");
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
