package io.shmdma.bench;

import io.shmdma.DmaDevice;
import io.shmdma.OpFlags;
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
 * Latency of one small copy: enqueue with SUBMIT, then poll {@code completed} until it is done. Sampled
 * per invocation (p50, p99 from {@link Mode#SampleTime}). Baselines in the same run, on the same kind of
 * buffers: a padded cache-line ping-pong with a busy-spin helper thread (the floor for any cross-thread
 * request/response) and a plain {@code UnsafeBuffer.putBytes} of the same bytes on the caller thread.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = BenchJvm.ADD_EXPORTS)
public class SingleCopyRoundTripBenchmark
{
    /** Bytes per copy. */
    public static final int COPY_BYTES = 64;

    /** A started device and one source and one destination buffer. */
    @State(Scope.Thread)
    public abstract static class DmaState
    {
        /** The device under test. */
        @Param("IN_PROCESS")
        public DeviceKind device;

        BenchTarget target;
        DmaDevice dmaDevice;
        long srcIova;
        long dstIova;

        void open(final EngineMode mode)
        {
            target = BenchTarget.open(device, mode, 1 << 20, 64, 0);
            dmaDevice = target.device();
            final CopySlots slots = new CopySlots(target, COPY_BYTES, 1);
            srcIova = slots.srcIova(0);
            dstIova = slots.dstIova(0);
        }

        /** Stops and closes the device. */
        @TearDown(Level.Trial)
        public void close()
        {
            target.close();
        }
    }

    /** The engine on its own busy-spinning thread. */
    @State(Scope.Thread)
    public static class BusySpinEngine extends DmaState
    {
        /** Starts the device. */
        @Setup(Level.Trial)
        public void setUp()
        {
            open(EngineMode.BUSY_SPIN);
        }
    }

    /** The engine driven inline by the caller. */
    @State(Scope.Thread)
    public static class InlineEngine extends DmaState
    {
        /** Starts the device. */
        @Setup(Level.Trial)
        public void setUp()
        {
            open(EngineMode.INLINE);
        }
    }

    /** The cache-line ping-pong baseline. */
    @State(Scope.Thread)
    public static class PingPongState
    {
        PingPong pingPong;

        /** Starts the responder thread. */
        @Setup(Level.Trial)
        public void setUp()
        {
            pingPong = new PingPong();
        }

        /** Stops the responder thread. */
        @TearDown(Level.Trial)
        public void close()
        {
            pingPong.close();
        }
    }

    /** The putBytes baseline, on buffers of the same domain memory as the device's. */
    @State(Scope.Thread)
    public static class CpuState
    {
        BenchTarget target;
        UnsafeBuffer src;
        UnsafeBuffer dst;

        /** Allocates the buffers. */
        @Setup(Level.Trial)
        public void setUp()
        {
            target = BenchTarget.open(DeviceKind.IN_PROCESS, EngineMode.INLINE, 1 << 20, 64, 0);
            final CopySlots slots = new CopySlots(target, COPY_BYTES, 1);
            src = slots.source().buffer();
            dst = slots.destination().buffer();
        }

        /** Frees the device. */
        @TearDown(Level.Trial)
        public void close()
        {
            target.close();
        }
    }

    /**
     * One copy with the engine on a busy-spin thread: enqueue + doorbell, engine copies, caller polls.
     *
     * @param state the device.
     * @return the ring index.
     */
    @Benchmark
    public int dmaBusySpin(final BusySpinEngine state)
    {
        return copyAndAwait(state);
    }

    /**
     * One copy with the engine driven inline: the device's software cost without a second thread.
     *
     * @param state the device.
     * @return the ring index.
     */
    @Benchmark
    public int dmaInline(final InlineEngine state)
    {
        return copyAndAwait(state);
    }

    /** One copy with SUBMIT, then poll until it completed: the measured round trip of both engine modes. */
    private static int copyAndAwait(final DmaState state)
    {
        final DmaDevice device = state.dmaDevice;
        BenchTarget.checkEnqueued(device.copy(BenchTarget.VCHAN, state.srcIova, state.dstIova, COPY_BYTES,
            OpFlags.SUBMIT));
        return state.target.awaitCompleted(1);
    }

    /**
     * Baseline: one padded cache-line round trip to a busy-spin helper thread.
     *
     * @param state the ping-pong.
     * @return the sequence number.
     */
    @Benchmark
    public long pingPong(final PingPongState state)
    {
        return state.pingPong.roundTrip();
    }

    /**
     * Baseline: the same 64 bytes copied by the caller.
     *
     * @param state the buffers.
     * @return the first byte copied.
     */
    @Benchmark
    public byte putBytes(final CpuState state)
    {
        state.dst.putBytes(0, state.src, 0, COPY_BYTES);
        return state.dst.getByte(0);
    }
}
