package io.shmdma;

/**
 * The out-parameters of {@link DmaDevice#completed} and {@link DmaDevice#completedStatus}
 * ({@code last_idx} and {@code has_error}), owned by the caller and reused across calls so the
 * data path does not allocate.
 */
public final class Completion
{
    /** Ring index (uint16) of the last job reported. */
    public int lastIdx;
    /** Whether {@code completed} stopped at a failed job. */
    public boolean hasError;

    @Override
    public String toString()
    {
        return "Completion{lastIdx=" + lastIdx + ", hasError=" + hasError + '}';
    }
}
