package io.shmdma;

/**
 * Basic statistics of a vchan or of all vchans ({@code struct rte_dma_stats}).
 */
public final class DmaStats
{
    /** Jobs submitted to the engine (counted at the doorbell). */
    public long submitted;
    /** Jobs completed, successfully or not. */
    public long completed;
    /** Jobs that failed. */
    public long errors;

    /** Sets every count to zero. */
    public void clear()
    {
        submitted = 0;
        completed = 0;
        errors = 0;
    }

    @Override
    public String toString()
    {
        return "DmaStats{submitted=" + submitted + ", completed=" + completed + ", errors=" + errors + '}';
    }
}
