package io.shmdma.bench;

import java.util.Locale;

/**
 * One row of results: a scenario measured with the device or with the CPU, in dma-perf's terms.
 */
public final class PerfResult
{
    /**
     * CSV header: dma-perf's columns, with average cycles/op given as ns/op, plus the engine, the DMA/CPU ratio and
     * the CPU share other processes used during the measurement (valid rows have it near 0); then the caller's
     * cost: the application thread's own ns per job outside waiting (DMA rows, from the caller-cost phase; CPU
     * rows, the copy itself, equal to average ns/op), its ratio to the CPU row's ns/op, completion polls that
     * gathered something per burst, and the other processes' CPU share during the caller-cost phase.
     */
    public static final String CSV_HEADER = "test case,scenario,type,engine,DMA ring size,kick batch size," +
        "src sge,dst sge,buffer size(B),number of buffers,memory(MB),average ns/op,bandwidth(Gbps),MOps,DMA/CPU MOps," +
        "other processes CPU %,caller ns/op,caller/CPU copy,gathers per burst,caller phase other processes CPU %";

    final int caseId;
    final int scenario;
    final String type;
    final String engine;
    final int ringSize;
    final int kickBatch;
    final int srcSges;
    final int dstSges;
    final int bufSize;
    final int nrBuf;
    final double memoryMb;
    final long ops;
    final double seconds;
    final String error;
    double ratio = Double.NaN;
    double otherCpuPercent = Double.NaN;
    double callerNsPerOp = Double.NaN;
    double callerRatio = Double.NaN;
    double gathersPerBurst = Double.NaN;
    double callerOtherCpuPercent = Double.NaN;
    String callerError;

    PerfResult(
        final int caseId, final int scenario, final String type, final String engine, final int ringSize,
        final int kickBatch, final int srcSges, final int dstSges, final int bufSize, final int nrBuf,
        final double memoryMb, final long ops, final double seconds, final String error)
    {
        this.caseId = caseId;
        this.scenario = scenario;
        this.type = type;
        this.engine = engine;
        this.ringSize = ringSize;
        this.kickBatch = kickBatch;
        this.srcSges = srcSges;
        this.dstSges = dstSges;
        this.bufSize = bufSize;
        this.nrBuf = nrBuf;
        this.memoryMb = memoryMb;
        this.ops = ops;
        this.seconds = seconds;
        this.error = error;
    }

    /**
     * Jobs per second, in millions.
     *
     * @return MOps, NaN when the run failed.
     */
    public double mops()
    {
        return error != null || seconds <= 0 ? Double.NaN : ops / seconds / 1e6;
    }

    /**
     * Payload bandwidth in Gbit/s, as dma-perf computes it ({@code ops/s * buf_size * 8 / 1e9}).
     *
     * @return Gbps.
     */
    public double gbps()
    {
        return mops() * 1e6 * bufSize * 8 / 1e9;
    }

    /**
     * Average time per job: dma-perf's average cycles/op, here in nanoseconds.
     *
     * @return ns/op.
     */
    public double nsPerOp()
    {
        return error != null || ops == 0 ? Double.NaN : seconds * 1e9 / ops;
    }

    /**
     * The CSV line.
     *
     * @return comma-separated values, without a line end.
     */
    public String toCsv()
    {
        return String.join(",",
            "case" + caseId, Integer.toString(scenario), type, engine,
            ringSize > 0 ? Integer.toString(ringSize) : "NA",
            kickBatch > 0 ? Integer.toString(kickBatch) : "NA",
            srcSges > 0 ? Integer.toString(srcSges) : "NA",
            dstSges > 0 ? Integer.toString(dstSges) : "NA",
            Integer.toString(bufSize), Integer.toString(nrBuf), format("%.2f", memoryMb),
            error != null ? "ERROR: " + error.replace(',', ';') : format("%.1f", nsPerOp()),
            format("%.3f", gbps()), format("%.3f", mops()),
            Double.isNaN(ratio) ? "" : format("%.3f", ratio), format("%.1f", otherCpuPercent),
            callerError != null ? "ERROR: " + callerError.replace(',', ';') : format("%.1f", callerNsPerOp),
            format("%.4f", callerRatio), format("%.2f", gathersPerBurst), format("%.1f", callerOtherCpuPercent));
    }

    private static String format(final String pattern, final double value)
    {
        return Double.isNaN(value) ? "" : String.format(Locale.ROOT, pattern, value);
    }
}
