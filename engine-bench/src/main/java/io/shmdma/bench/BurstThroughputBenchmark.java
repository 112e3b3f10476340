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

import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of bursts: enqueue {@code kickBatch} copies of {@code bufferSize} bytes, ring the doorbell once,
 * then gather all their completions (a closed loop, as an application waiting for its copies). The primary
 * score is bursts/s; {@code ops} and {@code bytes} (from {@link BurstCounters}) are copies/s and bytes/s, and
 * {@code callerNs / ops} the calling thread's own nanoseconds per copy outside waiting ({@link CallerCost}: the
 * burst is gathered in about one {@code completed} call after a wait that touches no shared memory).
 * <p>
 * Baselines in the same run, over the same slots: {@code cpuCopy} moves the same bytes on the caller thread
 * with {@code UnsafeApi.copyMemory} (what the engine itself calls); {@code ringHandOff} (64 B only) passes the
 * same payloads through an Agrona {@code OneToOneRingBuffer} to a busy-spin consumer thread that copies them
 * to the same destination slots, and waits for the consumer, as the DMA burst waits for the engine.
 * <p>
 * JIT warm-up: at 16 MiB a burst takes about 100 ms, so JMH's warm-up iterations alone would run a few dozen
 * bursts and the measured ones would time interpreted code. So each state's set-up first runs the measured
 * burst code itself ({@link #dmaBurst}, {@link #cpuBurst}) with 64 B jobs on the same slots and kick batch,
 * for at least 20,000 bursts and 200,000 jobs ({@link CallerCost#warmUp}), then resets the caller's statistics.
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

        /**
         * A wait in microseconds, not counted in the caller's cost: for DMA the least wait between a burst's doorbell
         * and its gather ({@link CallerCost#minWaitNs}; 0 waits as long as the engine needs), for the CPU baseline a
         * spin before each burst. E.g. {@code -p bufferSize=64 -p waitUs=0,1000,100000} shows what the wait of a
         * burst of large jobs alone does to the cost of small ones, offloaded and copied by the caller itself.
         */
        @Param("0")
        public long waitUs;

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

        /** Starts the device, then runs the measured burst code with small jobs until C2 has compiled it. */
        @Setup(Level.Trial)
        public void setUp()
        {
            open(device, EngineMode.BUSY_SPIN);
            dmaDevice = target.device();
            callerCost = new CallerCost(target, false);
            final int warmUpBytes = Math.min(bufferSize, CallerCost.WARM_UP_JOB_BYTES);
            System.out.println(CallerCost.warmUp(callerCost, kickBatch,
                () -> dmaBurst(dmaDevice, slots, kickBatch, warmUpBytes, callerCost)));
            callerCost.minWaitNs(waitUs * 1000);
        }

        /** Prints how many polls gathered each burst, warm-up iterations included. */
        @TearDown(Level.Trial)
        public void printGathers()
        {
            printGatherStatistics(callerCost);
        }
    }

    /**
     * The same slots, copied by the caller; the device exists only for its memory and runs inline, so no engine thread
     * competes.
     */
    @State(Scope.Thread)
    public static class CpuState extends BurstShape
    {
        /** Allocates the slots, then warms the copy loop up with small copies as the DMA state does. */
        @Setup(Level.Trial)
        public void setUp()
        {
            open(DeviceKind.IN_PROCESS, EngineMode.INLINE);
            final int warmUpBytes = Math.min(bufferSize, CallerCost.WARM_UP_JOB_BYTES);
            System.out.println(CallerCost.warmUp(null, kickBatch, () -> cpuBurst(slots, kickBatch, warmUpBytes)));
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
        final int kickBatch = state.kickBatch;
        final int bufferSize = state.bufferSize;
        counters.add(kickBatch, bufferSize, dmaBurst(state.dmaDevice, state.slots, kickBatch, bufferSize,
            state.callerCost), state.callerCost);
        return state.callerCost.lastIdx();
    }

    /**
     * One DMA burst, the body of {@link #dma} and of its set-up warm-up: {@code kickBatch} copies of
     * {@code bytes} from the next slots, one doorbell, every completion gathered.
     *
     * @param device     the device.
     * @param slots      the slots.
     * @param kickBatch  copies per doorbell.
     * @param bytes      bytes per copy, at most the slots' buffer size.
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
            final int slot = slots.nextSlot();
            BenchTarget.checkEnqueued(
                device.copy(BenchTarget.VCHAN, slots.srcIova(slot), slots.dstIova(slot), bytes, 0));
        }
        device.submit(BenchTarget.VCHAN);
        return callerCost.gather(start, kickBatch);
    }

    /**
     * Baseline: the same copies by the caller thread.
     *
     * @param state    the slots.
     * @param counters copies and bytes.
     * @return the caller's nanoseconds for the burst.
     */
    @Benchmark
    public double cpuCopy(final CpuState state, final BurstCounters counters)
    {
        final int kickBatch = state.kickBatch;
        final int bufferSize = state.bufferSize;
        if (state.waitUs > 0)
        {
            CallerCost.spinUntil(System.nanoTime() + state.waitUs * 1000);
        }
        final double ns = cpuBurst(state.slots, kickBatch, bufferSize);
        counters.add(kickBatch, bufferSize, ns);
        return ns;
    }

    /**
     * One burst of CPU copies, the body of {@link #cpuCopy} and of its set-up warm-up.
     *
     * @param slots     the slots.
     * @param kickBatch copies.
     * @param bytes     bytes per copy, at most the slots' buffer size.
     * @return the caller's nanoseconds.
     */
    static double cpuBurst(final CopySlots slots, final int kickBatch, final int bytes)
    {
        final long start = System.nanoTime();
        for (int i = 0; i < kickBatch; i++)
        {
            final int slot = slots.nextSlot();
            UnsafeApi.copyMemory(slots.srcAddress(slot), slots.dstAddress(slot), bytes);
        }
        return CallerCost.since(start);
    }

    /**
     * Prints, on the benchmark's output, how many polls gathered each burst since the set-up warm-up and the
     * wait the caller settled on.
     *
     * @param callerCost the caller cost of the trial.
     */
    static void printGatherStatistics(final CallerCost callerCost)
    {
        System.out.printf(Locale.ROOT, "%ncaller: %.3f gathers per burst over %d bursts, wait %.1f us%n",
            callerCost.gathersPerBurst(), callerCost.bursts(), callerCost.waitNs() / 1e3);
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
