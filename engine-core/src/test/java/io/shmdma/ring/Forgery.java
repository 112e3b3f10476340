package io.shmdma.ring;

/**
 * Helpers for tests that forge ring contents: a cheap pseudo-random sequence and a pick among candidate values.
 */
public final class Forgery
{
    private Forgery()
    {
    }

    /**
     * The next value of a xorshift sequence.
     *
     * @param x the current value, not 0.
     * @return the next value.
     */
    public static long next(final long x)
    {
        long r = x ^ (x << 13);
        r ^= r >>> 7;
        return r ^ (r << 17);
    }

    /**
     * One of the values, chosen by {@code choice}.
     *
     * @param choice non-negative.
     * @param values the candidates.
     * @return the chosen value.
     */
    public static int pickInt(final int choice, final int... values)
    {
        return values[choice % values.length];
    }

    /**
     * One of the values, chosen by {@code choice}.
     *
     * @param choice non-negative.
     * @param values the candidates.
     * @return the chosen value.
     */
    public static long pickLong(final int choice, final long... values)
    {
        return values[choice % values.length];
    }
}
