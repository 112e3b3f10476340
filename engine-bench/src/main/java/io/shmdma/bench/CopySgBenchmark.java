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
 * ({@code callerNs / ops}), as in {@link BurstThroughputBenchmark}.
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

        void open(final DeviceKind kind, final EngineMode mode)
        {
            final int cross = sges.indexOf('x');
            final int nbSrc = Integer.parseInt(sges.substring(0, cross));
            final int nbDst = Integer.parseInt(sges.substring(cross + 1));
            target = BenchTarget.open(kind, mode, SgSlots.domainBytes(bufferSize, nbSrc, nbDst, kickBatch),
                BurstThroughputBenchmark.RING_SIZE, 0);
            slots = new SgSlots(target, bufferSize, nbSrc, nbDst, kickBatch);
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

        /** Starts the device. */
        @Setup(Level.Trial)
        public void setUp()
        {
            open(device, EngineMode.BUSY_SPIN);
            dmaDevice = target.device();
            callerCost = new CallerCost(target, false);
        }
    }

    /** The same pieces, copied by the caller; the device runs inline and only provides the memory. */
    @State(Scope.Thread)
    public static class CpuState extends SgShape
    {
        /** Allocates the pieces. */
        @Setup(Level.Trial)
        public void setUp()
        {
            open(DeviceKind.IN_PROCESS, EngineMode.INLINE);
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
        final DmaDevice device = state.dmaDevice;
        final SgSlots slots = state.slots;
        final int kickBatch = state.kickBatch;
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
        counters.add(kickBatch, state.bufferSize, state.callerCost.gather(start, kickBatch));
        return state.callerCost.lastIdx();
    }

    /**
     * Baseline: the same pieces copied by the caller thread.
     *
     * @param state    the pieces.
     * @param counters jobs and bytes.
     * @return bytes copied by the last job.
     */
    @Benchmark
    public long cpuCopy(final CpuState state, final BurstCounters counters)
    {
        final SgSlots slots = state.slots;
        final int kickBatch = state.kickBatch;
        final long start = System.nanoTime();
        long copied = 0;
        for (int i = 0; i < kickBatch; i++)
        {
            copied = slots.cpuCopy(slots.nextSlot());
        }
        counters.add(kickBatch, state.bufferSize, CallerCost.since(start));
        return copied;
    }
}
