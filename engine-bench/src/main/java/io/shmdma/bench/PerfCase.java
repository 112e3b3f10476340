package io.shmdma.bench;


import java.util.ArrayList;
import java.util.List;

/**
 * One {@code [caseN]} section of a dma-perf config: its fixed values and at most one sweep.
 */
public final class PerfCase
{
    /** dma-perf's test types. */
    public enum Type
    {
        /** Copies by the DMA device (here also measured by the CPU, side by side). */
        DMA_MEM_COPY,
        /** Copies by the CPU only. */
        CPU_MEM_COPY
    }

    /** One point of the case's sweep. */
    public static final class Scenario
    {
        /** 1-based position in the sweep. */
        public final int id;
        /** Memory for source and destination together, in MiB. */
        public final long memSizeMb;
        /** Bytes per job. */
        public final int bufSize;
        /** Descriptors of the vchan. */
        public final int ringSize;
        /** Jobs per doorbell. */
        public final int kickBatch;

        Scenario(final int id, final long memSizeMb, final int bufSize, final int ringSize, final int kickBatch)
        {
            this.id = id;
            this.memSizeMb = memSizeMb;
            this.bufSize = bufSize;
            this.ringSize = ringSize;
            this.kickBatch = kickBatch;
        }

        /**
         * dma-perf's number of buffers: {@code mem_size MiB / (buf_size * 2)}.
         *
         * @return buffers on each side.
         */
        public long nrBuf()
        {
            return (memSizeMb << 20) / (bufSize * 2L);
        }

        @Override
        public String toString()
        {
            return "scenario " + id + " mem=" + memSizeMb + "MB buf=" + bufSize + "B ring=" + ringSize +
                " kick=" + kickBatch;
        }
    }

    final int id;
    final Type type;
    final SweepEntry memSize;
    final SweepEntry bufSize;
    final SweepEntry ringSize;
    final SweepEntry kickBatch;
    final int srcSges;
    final int dstSges;
    final boolean useOps;
    final EngineMode engine;
    final boolean skip;
    final List<String> notes;

    PerfCase(
        final int id, final Type type, final SweepEntry memSize, final SweepEntry bufSize, final SweepEntry ringSize,
        final SweepEntry kickBatch, final int srcSges, final int dstSges, final boolean useOps, final EngineMode engine,
        final boolean skip, final List<String> notes)
    {
        this.id = id;
        this.type = type;
        this.memSize = memSize;
        this.bufSize = bufSize;
        this.ringSize = ringSize;
        this.kickBatch = kickBatch;
        this.srcSges = srcSges;
        this.dstSges = dstSges;
        this.useOps = useOps;
        this.engine = engine;
        this.skip = skip;
        this.notes = notes;
    }

    /**
     * The N of {@code [caseN]}.
     *
     * @return the case number.
     */
    public int id()
    {
        return id;
    }

    /**
     * The test type.
     *
     * @return the type, null for a skipped case.
     */
    public Type type()
    {
        return type;
    }

    /**
     * Whether the case has {@code skip=1}.
     *
     * @return true to skip.
     */
    public boolean skip()
    {
        return skip;
    }

    /**
     * Whether jobs are scatter-gather copies ({@code dma_src_sge}/{@code dma_dst_sge} given).
     *
     * @return true for copySg.
     */
    public boolean isScatterGather()
    {
        return srcSges > 0;
    }

    /**
     * Source entries per scatter-gather job.
     *
     * @return 0 for plain copies.
     */
    public int srcSges()
    {
        return srcSges;
    }

    /**
     * Destination entries per scatter-gather job.
     *
     * @return 0 for plain copies.
     */
    public int dstSges()
    {
        return dstSges;
    }

    /**
     * Whether the enqueue/dequeue-ops mode is used ({@code use_enq_deq_ops=1}).
     *
     * @return true for ops mode.
     */
    public boolean useOps()
    {
        return useOps;
    }

    /**
     * How the device's engine runs ({@code engine=}, an shmdma extension; busy-spin by default).
     *
     * @return the mode.
     */
    public EngineMode engine()
    {
        return engine;
    }

    /**
     * Keys that were accepted but have no effect here, each with the reason.
     *
     * @return the notes.
     */
    public List<String> notes()
    {
        return notes;
    }

    /**
     * The sweep: one scenario per value of the case's single sweep entry, or one scenario when none.
     *
     * @return the scenarios in order.
     */
    public List<Scenario> scenarios()
    {
        final List<Scenario> scenarios = new ArrayList<>();
        int id = 0;
        for (final long mem : memSize.values())
        {
            for (final long buf : bufSize.values())
            {
                for (final long ring : ringSize.values())
                {
                    for (final long kick : kickBatch.values())
                    {
                        scenarios.add(new Scenario(++id, mem, (int)buf, (int)ring, (int)kick));
                    }
                }
            }
        }
        return scenarios;
    }

    /**
     * A one-line description.
     *
     * @return e.g. {@code case1 DMA_MEM_COPY mem=10 buf=64,8192,2,MUL ring=1024 kick=32}.
     */
    public String describe()
    {
        final StringBuilder text = new StringBuilder("case").append(id).append(' ').append(type)
            .append(" mem_size=").append(memSize).append(" buf_size=").append(bufSize);
        if (type == Type.DMA_MEM_COPY)
        {
            text.append(" dma_ring_size=").append(ringSize).append(" kick_batch=").append(kickBatch)
                .append(" engine=").append(engine.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            if (isScatterGather())
            {
                text.append(" sge=").append(srcSges).append('x').append(dstSges);
            }
            if (useOps)
            {
                text.append(" use_enq_deq_ops=1");
            }
        }
        return text.toString();
    }
}
