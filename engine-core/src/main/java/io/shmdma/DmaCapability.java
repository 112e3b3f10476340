package io.shmdma;

/**
 * Device capability bits ({@code RTE_DMA_CAPA_*}), at DPDK's bit positions.
 */
public final class DmaCapability
{
    /** Memory to memory transfer ({@code mem2mem}). */
    public static final long MEM_TO_MEM = 1L;
    /** Memory to device transfer ({@code mem2dev}). */
    public static final long MEM_TO_DEV = 1L << 1;
    /** Device to memory transfer ({@code dev2mem}). */
    public static final long DEV_TO_MEM = 1L << 2;
    /** Device to device transfer ({@code dev2dev}). */
    public static final long DEV_TO_DEV = 1L << 3;
    /** Shared virtual addressing ({@code sva}). */
    public static final long SVA = 1L << 4;
    /** Silent mode: no completions reported ({@code silent}). */
    public static final long SILENT = 1L << 5;
    /** The device reports failed jobs and keeps going ({@code handles_errors}). */
    public static final long HANDLES_ERRORS = 1L << 6;
    /** Memory to device auto free ({@code m2d_auto_free}). */
    public static final long M2D_AUTO_FREE = 1L << 7;
    /** Strict priority scheduling ({@code pri_policy_sp}). */
    public static final long PRI_POLICY_SP = 1L << 8;
    /** Transfers between processes of one host ({@code inter_process_domain}). */
    public static final long INTER_PROCESS_DOMAIN = 1L << 9;
    /** Transfers between operating system domains ({@code inter_os_domain}). */
    public static final long INTER_OS_DOMAIN = 1L << 10;
    /** Copy operation ({@code copy}). */
    public static final long OPS_COPY = 1L << 32;
    /** Scatter-gather copy operation ({@code copy_sg}). */
    public static final long OPS_COPY_SG = 1L << 33;
    /** Fill operation ({@code fill}). */
    public static final long OPS_FILL = 1L << 34;
    /** Enqueue/dequeue of operation objects ({@code enq_deq}). */
    public static final long OPS_ENQ_DEQ = 1L << 35;

    private static final long[] BITS = {
        MEM_TO_MEM, MEM_TO_DEV, DEV_TO_MEM, DEV_TO_DEV, SVA, SILENT, HANDLES_ERRORS, M2D_AUTO_FREE, PRI_POLICY_SP,
        INTER_PROCESS_DOMAIN, INTER_OS_DOMAIN, OPS_COPY, OPS_COPY_SG, OPS_FILL, OPS_ENQ_DEQ };
    private static final String[] NAMES = {
        "mem2mem", "mem2dev", "dev2mem", "dev2dev", "sva", "silent", "handles_errors", "m2d_auto_free",
        "pri_policy_sp", "inter_process_domain", "inter_os_domain", "copy", "copy_sg", "fill", "enq_deq" };

    private DmaCapability()
    {
    }

    /**
     * DPDK's name of one capability bit, as printed by {@code rte_dma_dump}.
     *
     * @param capability a single bit.
     * @return the name, or {@code "unknown"}.
     */
    public static String name(final long capability)
    {
        for (int i = 0; i < BITS.length; i++)
        {
            if (BITS[i] == capability)
            {
                return NAMES[i];
            }
        }
        return "unknown";
    }

    /**
     * The names of every bit set, lowest first, separated by single spaces.
     *
     * @param capabilities a capability mask.
     * @return e.g. {@code "mem2mem handles_errors copy copy_sg fill"}.
     */
    public static String names(final long capabilities)
    {
        final StringBuilder sb = new StringBuilder();
        long remaining = capabilities;
        while (remaining != 0)
        {
            final long bit = Long.lowestOneBit(remaining);
            if (sb.length() > 0)
            {
                sb.append(' ');
            }
            sb.append(name(bit));
            remaining &= ~bit;
        }
        return sb.toString();
    }
}
