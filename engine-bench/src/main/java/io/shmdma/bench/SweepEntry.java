package io.shmdma.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A dma-perf config value: a single number, or a sweep {@code first,last,increment,ADD|MUL} whose values run
 * from {@code first} while {@code <= last}, adding or multiplying by {@code increment} each step.
 */
public final class SweepEntry
{
    /** How a sweep steps. */
    public enum Op
    {
        /** A single value. */
        NONE,
        /** Add the increment. */
        ADD,
        /** Multiply by the increment. */
        MUL
    }

    private final long first;
    private final long last;
    private final long increment;
    private final Op op;

    private SweepEntry(final long first, final long last, final long increment, final Op op)
    {
        this.first = first;
        this.last = last;
        this.increment = increment;
        this.op = op;
    }

    /**
     * A single value.
     *
     * @param value the value.
     * @return the entry.
     */
    public static SweepEntry single(final long value)
    {
        return new SweepEntry(value, value, 0, Op.NONE);
    }

    /**
     * Parses {@code N} or {@code first,last,increment,ADD|MUL}.
     *
     * @param text the config value.
     * @return the entry.
     * @throws IllegalArgumentException for any other form, a negative number or a sweep that never ends.
     */
    public static SweepEntry parse(final String text)
    {
        if (text == null || text.isBlank())
        {
            throw new IllegalArgumentException("empty value");
        }
        final String[] parts = text.split(",", -1);
        if (parts.length == 1)
        {
            return single(number(parts[0], text));
        }
        if (parts.length != 4)
        {
            throw new IllegalArgumentException("expected N or first,last,increment,ADD|MUL: '" + text + "'");
        }
        final long first = number(parts[0], text);
        final long last = number(parts[1], text);
        final long increment = number(parts[2], text);
        final Op op;
        try
        {
            op = Op.valueOf(parts[3].trim().toUpperCase(Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("invalid op '" + parts[3].trim() + "' (ADD or MUL): '" + text + "'", ex);
        }
        if (op == Op.NONE)
        {
            throw new IllegalArgumentException("invalid op NONE (ADD or MUL): '" + text + "'");
        }
        if (last < first)
        {
            throw new IllegalArgumentException("last < first: '" + text + "'");
        }
        if ((op == Op.ADD && increment < 1) || (op == Op.MUL && (increment < 2 || first == 0)))
        {
            throw new IllegalArgumentException("sweep never ends: '" + text + "'");
        }
        return new SweepEntry(first, last, increment, op);
    }

    private static long number(final String part, final String text)
    {
        try
        {
            final long value = Long.parseLong(part.trim());
            if (value < 0)
            {
                throw new IllegalArgumentException("negative number in '" + text + "'");
            }
            return value;
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("not a number: '" + part.trim() + "' in '" + text + "'", ex);
        }
    }

    /**
     * Whether this entry is a sweep (dma-perf's "variable parameter").
     *
     * @return true for a sweep.
     */
    public boolean isSweep()
    {
        return op != Op.NONE;
    }

    /**
     * The first value.
     *
     * @return the first value.
     */
    public long first()
    {
        return first;
    }

    /**
     * The values, in order.
     *
     * @return one value for a single entry, every step for a sweep.
     */
    public List<Long> values()
    {
        if (op == Op.NONE)
        {
            return Collections.singletonList(first);
        }
        final List<Long> values = new ArrayList<>();
        for (long value = first; value <= last; value = op == Op.ADD ? value + increment : value * increment)
        {
            values.add(value);
        }
        return values;
    }

    @Override
    public String toString()
    {
        return op == Op.NONE ? Long.toString(first) : first + "," + last + "," + increment + "," + op;
    }
}
