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
 * {@link BurstThroughputBenchmark}.
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

        /** Starts the device. */
        @Setup(Level.Trial)
        public void setUp()
        {
            open(device, EngineMode.BUSY_SPIN);
            dmaDevice = target.device();
            callerCost = new CallerCost(target, false);
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
        /** Allocates the slots. */
        @Setup(Level.Trial)
        public void setUp()
        {
            open(DeviceKind.IN_PROCESS, EngineMode.INLINE);
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
        final DmaDevice device = state.dmaDevice;
        final CopySlots slots = state.slots;
        final int kickBatch = state.kickBatch;
        final int bufferSize = state.bufferSize;
        final long start = System.nanoTime();
        for (int i = 0; i < kickBatch; i++)
        {
            BenchTarget.checkEnqueued(
                device.fill(BenchTarget.VCHAN, PATTERN, slots.dstIova(slots.nextSlot()), bufferSize, 0));
        }
        device.submit(BenchTarget.VCHAN);
        counters.add(kickBatch, bufferSize, state.callerCost.gather(start, kickBatch));
        return state.callerCost.lastIdx();
    }

    /**
     * Baseline: the same pattern stores on the caller thread.
     *
     * @param state    the slots.
     * @param counters fills and bytes.
     * @return the last slot.
     */
    @Benchmark
    public int cpuPatternFill(final CpuState state, final BurstCounters counters)
    {
        final CopySlots slots = state.slots;
        final int kickBatch = state.kickBatch;
        final int bufferSize = state.bufferSize;
        final long start = System.nanoTime();
        int slot = 0;
        for (int i = 0; i < kickBatch; i++)
        {
            slot = slots.nextSlot();
            CpuBaselines.patternFill(slots.dstAddress(slot), bufferSize, PATTERN);
        }
        counters.add(kickBatch, bufferSize, CallerCost.since(start));
        return slot;
    }

    /**
     * Baseline: memset of one byte value on the caller thread.
     *
     * @param state    the slots.
     * @param counters fills and bytes.
     * @return the last slot.
     */
    @Benchmark
    public int cpuSetMemory(final CpuState state, final BurstCounters counters)
    {
        final CopySlots slots = state.slots;
        final int kickBatch = state.kickBatch;
        final int bufferSize = state.bufferSize;
        final long start = System.nanoTime();
        int slot = 0;
        for (int i = 0; i < kickBatch; i++)
        {
            slot = slots.nextSlot();
            UnsafeApi.setMemory(slots.dstAddress(slot), bufferSize, (byte)PATTERN);
        }
        counters.add(kickBatch, bufferSize, CallerCost.since(start));
        return slot;
    }
}
