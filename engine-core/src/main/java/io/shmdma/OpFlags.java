package io.shmdma;

/**
 * Operation flags ({@code RTE_DMA_OP_FLAG_*}) for copy, copySg and fill.
 */
public final class OpFlags
{
    /** Process this job only after every earlier job of the vchan has completed; not attempted after a failure. */
    public static final long FENCE = 1L;
    /** Ring the doorbell after enqueueing, as {@link DmaDevice#submit(int)} does. */
    public static final long SUBMIT = 1L << 1;
    /** Hint to write the data to the last level cache; accepted and ignored. */
    public static final long LLC = 1L << 2;
    /** Auto free (memory to device only); this product has no such device, so it is refused. */
    public static final long AUTO_FREE = 1L << 3;
    /** Every flag a memory-to-memory job may carry. */
    public static final long VALID_MASK = FENCE | SUBMIT | LLC;

    private OpFlags()
    {
    }
}
