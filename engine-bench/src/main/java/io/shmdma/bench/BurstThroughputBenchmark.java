package io.shmdma.bench;

import io.shmdma.DmaDevice;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;
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
 * Throughput of bursts: enqueue {@code kickBatch} copies of {@code bufferSize} bytes, ring the doorbell once,
 * then gather all their completions (a closed loop, as an application waiting for its copies). The primary
 * score is bursts/s; {@code ops} and {@code bytes} (from {@link BurstCounters}) are copies/s and bytes/s, and
 * {@code callerNs / ops} the calling thread's own nanoseconds per copy outside waiting ({@link CallerCost}: the
 * burst is gathered with one {@code completed} call after a wait that touches no shared memory).
 * <p>
 * Baselines in the same run, over the same slots: {@code cpuCopy} moves the same bytes on the caller thread
 * with {@code UnsafeApi.copyMemory} (what the engine itself calls); {@code ringHandOff} (64 B only) passes the
 * same payloads through an Agrona {@code OneToOneRingBuffer} to a busy-spin consumer thread that copies them
 * to the same destination slots, and waits for the consumer, as the DMA burst waits for the engine.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = BenchJvm.ADD_EXPORTS)
public class BurstThroughputBenchmark
{
    /** Descriptors of the vchan; more than the largest kick batch. */
    public static final int RING_SIZE = 1024;

    /** The burst shape, shared by the DMA and CPU states. */
    @State(Scope.Thread)
    public abstract static class BurstShape
    {
        /** Copies per doorbell. */
        @Param({"1", "8", "32"})
        public int kickBatch;

        /** Bytes per copy. */
        @Param({"64", "1024", "4096", "65536", "1048576", "16777216"})
        public int bufferSize;

        BenchTarget target;
        CopySlots slots;

        void open(final DeviceKind kind, final EngineMode mode)
        {
            target = BenchTarget.open(kind, mode, CopySlots.domainBytes(bufferSize, kickBatch), RING_SIZE, 0);
            slots = new CopySlots(target, bufferSize, kickBatch);
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
    public static class DmaState extends BurstShape
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

    /**
     * The same slots, copied by the caller; the device exists only for its memory and runs inline, so no engine thread
     * competes.
     */
    @State(Scope.Thread)
    public static class CpuState extends BurstShape
    {
        /** Allocates the slots. */
        @Setup(Level.Trial)
        public void setUp()
        {
            open(DeviceKind.IN_PROCESS, EngineMode.INLINE);
        }
    }

    /** The OneToOneRingBuffer hand-off of 64-byte payloads. */
    @State(Scope.Thread)
    public static class RingState
    {
        /** Messages per wait, as the DMA kick batch. */
        @Param({"1", "8", "32"})
        public int kickBatch;

        /** Payload bytes; the hand-off is the 64 B baseline only. */
        @Param("64")
        public int bufferSize;

        BenchTarget target;
        CopySlots slots;
        RingHandOff handOff;
        UnsafeBuffer source;

        /** Starts the consumer thread. */
        @Setup(Level.Trial)
        public void setUp()
        {
            target = BenchTarget.open(DeviceKind.IN_PROCESS, EngineMode.INLINE,
                CopySlots.domainBytes(bufferSize, kickBatch), RING_SIZE, 0);
            slots = new CopySlots(target, bufferSize, kickBatch);
            source = slots.source().buffer();
            handOff = new RingHandOff(64 * 1024, slots.destination().buffer(), slots.stride());
        }

        /** Stops the consumer, checks the payloads landed and frees the memory. */
        @TearDown(Level.Trial)
        public void close()
        {
            handOff.close();
            target.closeVerified(slots::verify);
        }
    }

    /**
     * A burst of DMA copies: enqueue, one doorbell, gather every completion.
     *
     * @param state    the device and slots.
     * @param counters copies and bytes.
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
            final int slot = slots.nextSlot();
            BenchTarget.checkEnqueued(
                device.copy(BenchTarget.VCHAN, slots.srcIova(slot), slots.dstIova(slot), bufferSize, 0));
        }
        device.submit(BenchTarget.VCHAN);
        counters.add(kickBatch, bufferSize, state.callerCost.gather(start, kickBatch));
        return state.callerCost.lastIdx();
    }

    /**
     * Baseline: the same copies by the caller thread.
     *
     * @param state    the slots.
     * @param counters copies and bytes.
     * @return the last slot.
     */
    @Benchmark
    public int cpuCopy(final CpuState state, final BurstCounters counters)
    {
        final CopySlots slots = state.slots;
        final int kickBatch = state.kickBatch;
        final int bufferSize = state.bufferSize;
        final long start = System.nanoTime();
        int slot = 0;
        for (int i = 0; i < kickBatch; i++)
        {
            slot = slots.nextSlot();
            UnsafeApi.copyMemory(slots.srcAddress(slot), slots.dstAddress(slot), bufferSize);
        }
        counters.add(kickBatch, bufferSize, CallerCost.since(start));
        return slot;
    }

    /**
     * Baseline (64 B): the same payloads handed to a busy-spin consumer thread through a OneToOneRingBuffer.
     *
     * @param state    the ring and slots.
     * @param counters messages and bytes.
     * @return messages sent so far.
     */
    @Benchmark
    public long ringHandOff(final RingState state, final BurstCounters counters)
    {
        final CopySlots slots = state.slots;
        final RingHandOff handOff = state.handOff;
        final UnsafeBuffer source = state.source;
        final int kickBatch = state.kickBatch;
        final int bufferSize = state.bufferSize;
        final int stride = slots.stride();
        final long start = System.nanoTime();
        for (int i = 0; i < kickBatch; i++)
        {
            final int slot = slots.nextSlot();
            handOff.send(slot, source, slot * stride, bufferSize);
        }
        final double callerNs = CallerCost.since(start);
        final long sent = handOff.awaitConsumed();
        counters.add(kickBatch, bufferSize, callerNs);
        return sent;
    }
}
