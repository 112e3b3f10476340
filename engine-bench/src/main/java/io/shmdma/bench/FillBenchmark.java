package io.shmdma.bench;

import io.shmdma.DmaDevice;
import org.agrona.UnsafeApi;
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

import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of bursts of fills: {@code kickBatch} fills of {@code bufferSize} bytes with a 64-bit pattern, one
 * doorbell, every completion gathered. Baselines on the caller thread over the same destination slots:
 * {@code cpuPatternFill} (the same 8-byte pattern stores the engine does) and {@code cpuSetMemory}
 * ({@code UnsafeApi.setMemory} of one byte value, the JVM's memset, the fastest CPU fill when the pattern's
 * bytes are all equal). Scores, and the caller's cost per job ({@code callerNs / ops}), as in
 * {@link BurstThroughputBenchmark}, with the same set-up warm-up (64 B fills).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = BenchJvm.ADD_EXPORTS)
public class FillBenchmark
{
    /** The fill pattern: byte j of the destination is byte j % 8 of it, little-endian. */
    public static final long PATTERN = 0x0807060504030201L;

    /** The job shape, shared by the DMA and CPU states. */
    @State(Scope.Thread)
    public abstract static class FillShape
    {
        /** Bytes per fill. */
        @Param({"64", "4096", "65536", "1048576"})
        public int bufferSize;

        /** Fills per doorbell. */
        @Param("32")
        public int kickBatch;

        BenchTarget target;
        CopySlots slots;

        void open(final DeviceKind kind, final EngineMode mode)
        {
            target = BenchTarget.open(kind, mode, CopySlots.domainBytes(bufferSize, kickBatch),
                BurstThroughputBenchmark.RING_SIZE, 0);
            slots = new CopySlots(target, bufferSize, kickBatch);
        }

        /** Closes the device. */
        @TearDown(Level.Trial)
        public void close()
        {
            target.close();
        }
    }

    /** A device whose engine busy-spins on its own thread. */
    @State(Scope.Thread)
    public static class DmaState extends FillShape
    {
        /** The device under test. */
        @Param("IN_PROCESS")
        public DeviceKind device;

        DmaDevice dmaDevice;
        CallerCost callerCost;

        /** Starts the device, then runs the measured burst code with small fills until C2 has compiled it. */
        @Setup(Level.Trial)
        public void setUp()
        {
            open(device, EngineMode.BUSY_SPIN);
            dmaDevice = target.device();
            callerCost = new CallerCost(target, false);
            final int warmUpBytes = Math.min(bufferSize, CallerCost.WARM_UP_JOB_BYTES);
            System.out.println(CallerCost.warmUp(callerCost, kickBatch,
                () -> dmaBurst(dmaDevice, slots, kickBatch, warmUpBytes, callerCost)));
        }

        /** Prints how many polls gathered each burst, warm-up iterations included. */
        @TearDown(Level.Trial)
        public void printGathers()
        {
            BurstThroughputBenchmark.printGatherStatistics(callerCost);
        }

        /** Checks the pattern landed in every slot before closing. */
        @TearDown(Level.Trial)
        public void verify()
        {
            final boolean littleEndian = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
            for (int s = 0; s < slots.slots(); s++)
            {
                for (int j = 0; j < bufferSize; j++)
                {
                    final byte expected = (byte)(PATTERN >>> ((j & 7) << 3));
                    if (littleEndian && slots.destination().buffer().getByte(s * slots.stride() + j) != expected)
                    {
                        throw new IllegalStateException("fill pattern missing at slot " + s + " byte " + j);
                    }
                }
            }
        }
    }

    /** The same slots, filled by the caller; the device runs inline and only provides the memory. */
    @State(Scope.Thread)
    public static class CpuState extends FillShape
    {
        /** Allocates the slots, then warms both fill loops up with small fills as the DMA state does. */
        @Setup(Level.Trial)
        public void setUp()
        {
            open(DeviceKind.IN_PROCESS, EngineMode.INLINE);
            final int warmUpBytes = Math.min(bufferSize, CallerCost.WARM_UP_JOB_BYTES);
            System.out.println(CallerCost.warmUp(null, kickBatch,
                () -> patternFillBurst(slots, kickBatch, warmUpBytes)));
            System.out.println(CallerCost.warmUp(null, kickBatch,
                () -> setMemoryBurst(slots, kickBatch, warmUpBytes)));
        }
    }

    /**
     * A burst of DMA fills.
     *
     * @param state    the device and slots.
     * @param counters fills and bytes.
     * @return the last ring index.
     */
    @Benchmark
    public int dma(final DmaState state, final BurstCounters counters)
    {
        counters.add(state.kickBatch, state.bufferSize,
            dmaBurst(state.dmaDevice, state.slots, state.kickBatch, state.bufferSize, state.callerCost),
            state.callerCost);
        return state.callerCost.lastIdx();
    }

    /**
     * One burst of DMA fills, the body of {@link #dma} and of its set-up warm-up.
     *
     * @param device     the device.
     * @param slots      the slots.
     * @param kickBatch  fills per doorbell.
     * @param bytes      bytes per fill, at most the slots' buffer size.
     * @param callerCost gathers and times the burst.
     * @return the caller's nanoseconds outside waiting.
     */
    static double dmaBurst(
        final DmaDevice device, final CopySlots slots, final int kickBatch, final int bytes,
        final CallerCost callerCost)
    {
        final long start = System.nanoTime();
        for (int i = 0; i < kickBatch; i++)
        {
            BenchTarget.checkEnqueued(
                device.fill(BenchTarget.VCHAN, PATTERN, slots.dstIova(slots.nextSlot()), bytes, 0));
        }
        device.submit(BenchTarget.VCHAN);
        return callerCost.gather(start, kickBatch);
    }

    /**
     * Baseline: the same pattern stores on the caller thread.
     *
     * @param state    the slots.
     * @param counters fills and bytes.
     * @return the caller's nanoseconds for the burst.
     */
    @Benchmark
    public double cpuPatternFill(final CpuState state, final BurstCounters counters)
    {
        final double ns = patternFillBurst(state.slots, state.kickBatch, state.bufferSize);
        counters.add(state.kickBatch, state.bufferSize, ns);
        return ns;
    }

    /**
     * One burst of pattern fills by the caller, the body of {@link #cpuPatternFill} and of its warm-up.
     *
     * @param slots     the slots.
     * @param kickBatch fills.
     * @param bytes     bytes per fill.
     * @return the caller's nanoseconds.
     */
    static double patternFillBurst(final CopySlots slots, final int kickBatch, final int bytes)
    {
        final long start = System.nanoTime();
        for (int i = 0; i < kickBatch; i++)
        {
            CpuBaselines.patternFill(slots.dstAddress(slots.nextSlot()), bytes, PATTERN);
        }
        return CallerCost.since(start);
    }

    /**
     * Baseline: memset of one byte value on the caller thread.
     *
     * @param state    the slots.
     * @param counters fills and bytes.
     * @return the caller's nanoseconds for the burst.
     */
    @Benchmark
    public double cpuSetMemory(final CpuState state, final BurstCounters counters)
    {
        final double ns = setMemoryBurst(state.slots, state.kickBatch, state.bufferSize);
        counters.add(state.kickBatch, state.bufferSize, ns);
        return ns;
    }

    /**
     * One burst of memsets by the caller, the body of {@link #cpuSetMemory} and of its warm-up.
     *
     * @param slots     the slots.
     * @param kickBatch fills.
     * @param bytes     bytes per fill.
     * @return the caller's nanoseconds.
     */
    static double setMemoryBurst(final CopySlots slots, final int kickBatch, final int bytes)
    {
        final long start = System.nanoTime();
        for (int i = 0; i < kickBatch; i++)
        {
            UnsafeApi.setMemory(slots.dstAddress(slots.nextSlot()), bytes, (byte)PATTERN);
        }
        return CallerCost.since(start);
    }
}
