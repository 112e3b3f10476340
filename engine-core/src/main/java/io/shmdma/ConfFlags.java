package io.shmdma;

/**
 * Device configuration flags ({@code RTE_DMA_CFG_FLAG_*}).
 */
public final class ConfFlags
{
    /** Silent mode: no completions are reported ({@code RTE_DMA_CFG_FLAG_SILENT}). */
    public static final long SILENT = 1L;
    /** Enqueue/dequeue-ops mode ({@code RTE_DMA_CFG_FLAG_ENQ_DEQ}). */
    public static final long ENQ_DEQ = 1L << 1;
    /** Every valid flag. */
    public static final long VALID_MASK = SILENT | ENQ_DEQ;

    private ConfFlags()
    {
    }
}
