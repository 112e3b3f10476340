package io.shmdma.bench;

import io.shmdma.DmaDevice;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Throughput of bursts of scatter-gather copies ({@code copySg}): {@code kickBatch} jobs of {@code bufferSize}
 * bytes, each from {@code nbSrc} source pieces to {@code nbDst} destination pieces, one doorbell, then every
 * completion gathered. Baseline {@code cpuCopy}: the caller walks the same pieces with
 * {@code UnsafeApi.copyMemory}, as the engine does. Scores, and the caller's cost per job
 * ({@code callerNs / ops}), as in {@link BurstThroughputBenchmark}, with the same set-up warm-up (jobs of 64 B
 * in as many pieces).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = BenchJvm.ADD_EXPORTS)
public class CopySgBenchmark
{
    /** The job shape, shared by the DMA and CPU states. */
    @State(Scope.Thread)
    public abstract static class SgShape
    {
        /** Source and destination pieces per job, {@code <src>x<dst>}. */
        @Param({"4x1", "1x4", "4x4", "16x16"})
        public String sges;

        /** Bytes per job. */
        @Param({"4096", "65536"})
        public int bufferSize;

        /** Jobs per doorbell. */
        @Param("32")
        public int kickBatch;

        BenchTarget target;
        SgSlots slots;
        SgSlots warmUpSlots;

        void open(final DeviceKind kind, final EngineMode mode)
        {
            final int cross = sges.indexOf('x');
            final int nbSrc = Integer.parseInt(sges.substring(0, cross));
            final int nbDst = Integer.parseInt(sges.substring(cross + 1));
            final int warmUpBytes = Math.min(bufferSize,
                Math.max(CallerCost.WARM_UP_JOB_BYTES, Math.max(nbSrc, nbDst)));
            target = BenchTarget.open(kind, mode, SgSlots.domainBytes(bufferSize, nbSrc, nbDst, kickBatch) +
                SgSlots.domainBytes(warmUpBytes, nbSrc, nbDst, kickBatch), BurstThroughputBenchmark.RING_SIZE, 0);
            slots = new SgSlots(target, bufferSize, nbSrc, nbDst, kickBatch);
            warmUpSlots = new SgSlots(target, warmUpBytes, nbSrc, nbDst, kickBatch);
        }

        /** Checks the copies landed, then closes the device. */
        @TearDown(Level.Trial)
        public void close()
        {
            target.closeVerified(slots::verify);
        }
    }

    /** A device whose engine busy-spins on its own thread. */
    @State(Scope.Thread)
    public static class DmaState extends SgShape
    {
        /** The device under test. */
        @Param("IN_PROCESS")
        public DeviceKind device;

        DmaDevice dmaDevice;
        CallerCost callerCost;

        /** Starts the device, then runs the measured burst code with small jobs until C2 has compiled it. */
        @Setup(Level.Trial)
        public void setUp()
        {
            open(device, EngineMode.BUSY_SPIN);
            dmaDevice = target.device();
            callerCost = new CallerCost(target, false);
            System.out.println(CallerCost.warmUp(callerCost, kickBatch,
                () -> dmaBurst(dmaDevice, warmUpSlots, kickBatch, callerCost)));
        }

        /** Prints how many polls gathered each burst, warm-up iterations included. */
        @TearDown(Level.Trial)
        public void printGathers()
        {
            BurstThroughputBenchmark.printGatherStatistics(callerCost);
        }
    }

    /** The same pieces, copied by the caller; the device runs inline and only provides the memory. */
    @State(Scope.Thread)
    public static class CpuState extends SgShape
    {
        /** Allocates the pieces, then warms the copy loop up with small jobs as the DMA state does. */
        @Setup(Level.Trial)
        public void setUp()
        {
            open(DeviceKind.IN_PROCESS, EngineMode.INLINE);
            System.out.println(CallerCost.warmUp(null, kickBatch, () -> cpuBurst(warmUpSlots, kickBatch)));
        }
    }

    /**
     * A burst of scatter-gather DMA copies.
     *
     * @param state    the device and pieces.
     * @param counters jobs and bytes.
     * @return the last ring index.
     */
    @Benchmark
    public int dma(final DmaState state, final BurstCounters counters)
    {
        counters.add(state.kickBatch, state.bufferSize,
            dmaBurst(state.dmaDevice, state.slots, state.kickBatch, state.callerCost), state.callerCost);
        return state.callerCost.lastIdx();
    }

    /**
     * One burst of scatter-gather DMA copies, the body of {@link #dma} and of its set-up warm-up.
     *
     * @param device     the device.
     * @param slots      the jobs.
     * @param kickBatch  jobs per doorbell.
     * @param callerCost gathers and times the burst.
     * @return the caller's nanoseconds outside waiting.
     */
    static double dmaBurst(
        final DmaDevice device, final SgSlots slots, final int kickBatch, final CallerCost callerCost)
    {
        final int nbSrc = slots.nbSrc();
        final int nbDst = slots.nbDst();
        final long start = System.nanoTime();
        for (int i = 0; i < kickBatch; i++)
        {
            final int slot = slots.nextSlot();
            BenchTarget.checkEnqueued(
                device.copySg(BenchTarget.VCHAN, slots.srcSge(slot), slots.dstSge(slot), nbSrc, nbDst, 0));
        }
        device.submit(BenchTarget.VCHAN);
        return callerCost.gather(start, kickBatch);
    }

    /**
     * Baseline: the same pieces copied by the caller thread.
     *
     * @param state    the pieces.
     * @param counters jobs and bytes.
     * @return the caller's nanoseconds for the burst.
     */
    @Benchmark
    public double cpuCopy(final CpuState state, final BurstCounters counters)
    {
        final double ns = cpuBurst(state.slots, state.kickBatch);
        counters.add(state.kickBatch, state.bufferSize, ns);
        return ns;
    }

    /**
     * One burst of CPU scatter-gather copies, the body of {@link #cpuCopy} and of its set-up warm-up.
     *
     * @param slots     the jobs.
     * @param kickBatch jobs.
     * @return the caller's nanoseconds.
     */
    static double cpuBurst(final SgSlots slots, final int kickBatch)
    {
        final long start = System.nanoTime();
        for (int i = 0; i < kickBatch; i++)
        {
            slots.cpuCopy(slots.nextSlot());
        }
        return CallerCost.since(start);
    }
}
